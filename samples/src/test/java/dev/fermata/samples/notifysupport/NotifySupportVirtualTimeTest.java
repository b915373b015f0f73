package dev.fermata.samples.notifysupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.samples.notifysupport.SmsGateway.Sms;
import dev.fermata.testing.FermataExtension;
import dev.fermata.testing.FermataTestEnvironment;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scenario's rota of three, one minute per notification and three each, in virtual time. */
class NotifySupportVirtualTimeTest {
  private final SmsGateway gateway = new SmsGateway();

  @RegisterExtension
  final FermataExtension fermata =
      FermataExtension.of(
          env ->
              env.functions(
                  b -> NotifySupport.register(b, NotifySupportSettings.DEFAULTS, gateway)));

  @Test
  void withoutCallbacks_everyContactIsNotifiedThreeTimes_overNineMinutes(
      FermataTestEnvironment env) {
    Instant start = env.now();
    String id = env.client().scheduleNew(NotifySupport.ORCHESTRATOR, null);

    assertThat(env.waitForCompletion(id).readOutputAs(String.class))
        .isEqualTo(NotifySupport.NOBODY);
    assertThat(gateway.sent())
        .extracting(Sms::phoneNumber)
        .containsExactly(
            "+31600000001",
            "+31600000001",
            "+31600000001",
            "+31600000002",
            "+31600000002",
            "+31600000002",
            "+31600000003",
            "+31600000003",
            "+31600000003");
    assertThat(env.now()).isEqualTo(start.plus(Duration.ofMinutes(9)));
  }

  @Test
  void graceCallingBackDuringHerSecondNotification_endsTheFlow(FermataTestEnvironment env) {
    Instant start = env.now();
    String id = env.client().scheduleNew(NotifySupport.ORCHESTRATOR, null);
    SupportCallbacks callbacks = new SupportCallbacks(env.client());
    // Ada's three minutes pass, then Grace's first; she answers half way through her second.
    env.runAt(
        start.plus(Duration.ofSeconds(4 * 60 + 30)),
        () -> assertThat(callbacks.acknowledge("+31600000002")).contains(id + ":1"));

    assertThat(env.waitForCompletion(id).readOutputAs(String.class))
        .isEqualTo("Acknowledged by Grace (+31600000002)");
    assertThat(gateway.sentTo("+31600000002")).hasSize(2);
    assertThat(gateway.sentTo("+31600000003")).isEmpty();
    assertThat(env.now()).isEqualTo(start.plus(Duration.ofSeconds(4 * 60 + 30)));
  }
}
