package dev.fermata.samples.retrycallback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.testing.FermataTestEnvironment;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scenario's five attempts of sixty seconds each, in virtual time. */
class RetryCallbackVirtualTimeTest {
  private ExternalApi api;
  private FermataTestEnvironment env;

  @BeforeEach
  void start() throws Exception {
    api = ExternalApi.start(0);
    env =
        FermataTestEnvironment.builder()
            .functions(
                b ->
                    RetryTimeoutCallback.register(b, RetryCallbackSettings.DEFAULTS, api.baseUri()))
            .start();
  }

  @AfterEach
  void stop() {
    env.close();
    api.close();
  }

  @Test
  void withoutACallback_everyAttemptTimesOut_overFiveMinutes() {
    Instant start = env.now();
    String id = env.client().scheduleNew(RetryTimeoutCallback.ORCHESTRATOR, null);

    assertThat(env.waitForCompletion(id).readOutputAs(String.class))
        .isEqualTo(
            "Completed API request after 5 attempts. Final state TimedOut, status text: Event"
                + " Callback not received in 00:01:00");
    assertThat(api.requests()).hasSize(5);
    assertThat(env.now()).isEqualTo(start.plus(Duration.ofMinutes(5)));
  }

  @Test
  void aCallbackDuringTheThirdAttempt_completesTheRequest() {
    Instant start = env.now();
    String id = env.client().scheduleNew(RetryTimeoutCallback.ORCHESTRATOR, null);
    env.raiseEventAt(start.plus(Duration.ofSeconds(150)), id, "Callback", true);

    assertThat(env.waitForCompletion(id).readOutputAs(String.class))
        .startsWith("Completed API request after 3 attempts. Final state CallbackSuccess");
    assertThat(api.requests()).hasSize(3);
  }
}
