package dev.fermata.samples.notifysupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.samples.SampleEngine;
import dev.fermata.samples.SampleHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notify support sample in a real host: the callback, carrying only a phone number, finds the
 * waiting orchestration through the {@code PhoneInstance} entity.
 */
class NotifySupportHttpTest {
  private static final SupportContact ADA = new SupportContact("Ada", "+31600000001");
  private static final SupportContact GRACE = new SupportContact("Grace", "+31600000002");

  @TempDir Path dir;
  private final SmsGateway gateway = new SmsGateway();

  private SampleHost start(Duration callbackTimeout, int maxNotifications) {
    var settings =
        new NotifySupportSettings(List.of(ADA, GRACE), callbackTimeout, maxNotifications);
    return SampleHost.start(dir, new NotifySupportModule(settings, gateway));
  }

  private static String startNotifying(SampleHost host) throws Exception {
    HttpResponse<String> started = host.post("/api/orchestrators/NotifySupportOrchestrator", null);
    assertThat(started.statusCode()).isEqualTo(202);
    return SampleHost.json(started).get("id").asText();
  }

  @Test
  void theCallbackOfTheNotifiedContactEndsTheFlow() throws Exception {
    try (SampleHost host = start(Duration.ofMinutes(10), 3)) {
      String id = startNotifying(host);
      SampleEngine.awaitCondition(
          "Ada got a message", () -> !gateway.sentTo(ADA.phoneNumber()).isEmpty());

      HttpResponse<String> callback =
          host.post("/api/NotifySupportCallback", "{\"phoneNumber\": \"+31600000001\"}");

      assertThat(callback.statusCode()).isEqualTo(202);
      assertThat(SampleHost.json(callback).get("instanceId").asText()).isEqualTo(id + ":0");
      assertThat(host.awaitStatus(id, "Completed").get("output").asText())
          .isEqualTo("Acknowledged by Ada (+31600000001)");
      // Ada's notification is over: a second callback finds nobody waiting.
      assertThat(
              host.post("/api/NotifySupportCallback", "{\"phoneNumber\": \"+31600000001\"}")
                  .statusCode())
          .isEqualTo(404);
    }
  }

  @Test
  void withoutCallbacksEveryContactIsNotifiedAndNobodyAcknowledges() throws Exception {
    try (SampleHost host = start(Duration.ofMillis(150), 2)) {
      String id = startNotifying(host);

      assertThat(host.awaitStatus(id, "Completed").get("output").asText())
          .isEqualTo("Nobody acknowledged the notification");
      assertThat(gateway.sent())
          .extracting(SmsGateway.Sms::phoneNumber)
          .containsExactly(
              ADA.phoneNumber(), ADA.phoneNumber(), GRACE.phoneNumber(), GRACE.phoneNumber());
    }
  }

  @Test
  void unknownNumbersAreNotFound_andBadBodiesAreRefused() throws Exception {
    try (SampleHost host = start(Duration.ofMinutes(10), 3)) {
      startNotifying(host);
      SampleEngine.awaitCondition(
          "Ada got a message", () -> !gateway.sentTo(ADA.phoneNumber()).isEmpty());

      HttpResponse<String> notWaiting =
          host.post("/api/NotifySupportCallback", "{\"phoneNumber\": \"+31600000002\"}");
      assertThat(notWaiting.statusCode()).isEqualTo(404);
      assertThat(notWaiting.body()).contains("Nobody is waiting for a callback from +31600000002");
      assertThat(host.post("/api/NotifySupportCallback", "{\"phone\": 1}").statusCode())
          .isEqualTo(400);
      assertThat(host.post("/api/NotifySupportCallback", "{}").statusCode()).isEqualTo(400);
      assertThat(host.post("/api/NotifySupportCallback", "not json").statusCode()).isEqualTo(400);
      assertThat(host.post("/api/NotifySupportCallback", null).statusCode()).isEqualTo(400);
    }
  }
}
