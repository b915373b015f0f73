package dev.fermata.samples.retrycallback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.samples.SampleHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retry/callback sample in a real host: started with {@code HttpStartClient}, watched through
 * {@code HttpAttemptCounterEntityClient} (the {@code AttemptsEntity}), called back through the
 * management API.
 */
class RetryCallbackHttpTest {
  @TempDir Path dir;

  private static String attemptsUrl(String id) {
    return "/api/HttpAttemptCounterEntityClient?instanceid=" + id;
  }

  @Test
  void aCallbackAfterTheFirstAttemptCompletesTheRequest() throws Exception {
    // No external API given: the module runs its own, as the launcher does.
    var module =
        new RetryCallbackModule(new RetryCallbackSettings(5, Duration.ofMinutes(10)), null);
    try (SampleHost host = SampleHost.start(dir, module)) {
      HttpResponse<String> started = host.post("/api/HttpStartClient", null);
      assertThat(started.statusCode()).isEqualTo(202);
      JsonNode checkStatus = SampleHost.json(started);
      String id = checkStatus.get("id").asText();

      host.awaitJson(
          attemptsUrl(id),
          a -> a.path("attempts").path(0).path("state").asText().equals("WaitingForCallback"));
      assertThat(host.raiseEvent(checkStatus, "Callback", "true").statusCode()).isEqualTo(202);

      String expected =
          "Completed API request after 1 attempts. Final state CallbackSuccess, status text:"
              + " External system called back with CallbackSuccess";
      assertThat(host.awaitStatus(id, "Completed").get("output").asText()).isEqualTo(expected);
      JsonNode attempts =
          host.awaitJson(attemptsUrl(id), a -> a.path("overallState").asText().equals(expected));
      assertThat(attempts.get("attempts")).hasSize(1);
      assertThat(attempts.get("attempts").get(0).get("state").asText())
          .isEqualTo("CallbackSuccess");
    }
  }

  @Test
  void aFailingApiAndMissingCallbacksUseUpTheAttempts() throws Exception {
    try (ExternalApi api = ExternalApi.start(0)) {
      var module =
          new RetryCallbackModule(
              new RetryCallbackSettings(3, Duration.ofMillis(200)), api.baseUri());
      try (SampleHost host = SampleHost.start(dir, module)) {
        // Failures are switched on over HTTP, as from a terminal.
        String failures = api.baseUri() + ExternalApi.FAILURES_PATH;
        assertThat(host.post(failures + "?count=lots", null).statusCode()).isEqualTo(400);
        HttpResponse<String> switched = host.post(failures + "?count=1", null);
        assertThat(switched.statusCode()).isEqualTo(200);
        assertThat(switched.body()).isEqualTo("{\"failNext\":1}");

        String id = SampleHost.json(host.post("/api/HttpStartClient", null)).get("id").asText();

        String expected =
            "Completed API request after 3 attempts. Final state TimedOut, status text: Event"
                + " Callback not received in 00:00:00.2000000";
        assertThat(host.awaitStatus(id, "Completed").get("output").asText()).isEqualTo(expected);
        JsonNode attempts =
            host.awaitJson(attemptsUrl(id), a -> a.path("overallState").asText().equals(expected));
        assertThat(attempts.get("attempts").findValuesAsText("state"))
            .containsExactly("ExecutedFailure", "TimedOut", "TimedOut");
        assertThat(attempts.get("attempts").get(0).get("statusText").asText())
            .contains("The external API answered 503");
        assertThat(api.requests()).hasSize(3);
      }
    }
  }

  @Test
  void attemptsOfAnUnknownInstanceAreNotFound_andTheIdIsRequired() throws Exception {
    var module = new RetryCallbackModule(RetryCallbackSettings.DEFAULTS, null);
    try (SampleHost host = SampleHost.start(dir, module)) {
      HttpResponse<String> unknown = host.get(attemptsUrl("no-such-instance"));
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.body()).contains("No attempts recorded for instance no-such-instance");

      HttpResponse<String> missing = host.get("/api/HttpAttemptCounterEntityClient");
      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(missing.body()).contains("instanceid");
    }
  }
}
