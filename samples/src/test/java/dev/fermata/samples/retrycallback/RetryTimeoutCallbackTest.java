package dev.fermata.samples.retrycallback;

import static dev.fermata.samples.retrycallback.AttemptState.CALLBACK_SUCCESS;
import static dev.fermata.samples.retrycallback.AttemptState.EXECUTED_FAILURE;
import static dev.fermata.samples.retrycallback.AttemptState.TIMED_OUT;
import static dev.fermata.samples.retrycallback.AttemptState.WAITING_FOR_CALLBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.entities.EntitySnapshot;
import dev.fermata.samples.SampleEngine;
import dev.fermata.samples.retrycallback.AttemptsState.Attempt;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetryTimeoutCallbackTest {
  @TempDir Path dir;
  private ExternalApi api;
  private SampleEngine engine;

  @BeforeEach
  void startApi() throws Exception {
    api = ExternalApi.start(0);
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    api.close();
  }

  private void startEngine(int attempts, Duration callbackTimeout) {
    var settings = new RetryCallbackSettings(attempts, callbackTimeout);
    engine =
        SampleEngine.start(dir, b -> RetryTimeoutCallback.register(b, settings, api.baseUri()));
  }

  private AttemptsState attempts(String id) {
    return engine
        .client()
        .getEntity(AttemptsEntity.idFor(id), AttemptsState.class)
        .map(EntitySnapshot::state)
        .orElse(AttemptsState.none());
  }

  private void awaitAttempt(String id, int number, AttemptState state) {
    SampleEngine.awaitCondition(
        "attempt " + number + " is " + state,
        () ->
            attempts(id).attempts().size() >= number
                && attempts(id).attempts().get(number - 1).state() == state);
  }

  /** The entity applies the orchestration's signals shortly after each checkpoint. */
  private void awaitOverallState(String id, String overall) {
    SampleEngine.awaitCondition(
        "the overall state is " + overall, () -> overall.equals(attempts(id).overallState()));
  }

  @Test
  void aCallbackCompletesTheRequestAfterOneAttempt() {
    startEngine(5, Duration.ofMinutes(10));
    String id = engine.client().scheduleNew(RetryTimeoutCallback.ORCHESTRATOR, null);
    awaitAttempt(id, 1, WAITING_FOR_CALLBACK);

    engine.client().raiseEvent(id, "Callback", true);

    String expected =
        "Completed API request after 1 attempts. Final state CallbackSuccess, status text:"
            + " External system called back with CallbackSuccess";
    assertThat(engine.awaitCompleted(id).readOutputAs(String.class)).isEqualTo(expected);
    awaitOverallState(id, expected);
    AttemptsState state = attempts(id);
    assertThat(state.attempts())
        .containsExactly(
            new Attempt(1, CALLBACK_SUCCESS, "External system called back with CallbackSuccess"));
    assertThat(state.overallState()).isEqualTo(expected);
    assertThat(api.requests()).hasSize(1);
    assertThat(api.requests().getFirst()).contains("\"instanceId\":\"" + id + "\"");
  }

  @Test
  void withoutACallbackEveryAttemptTimesOut() {
    startEngine(5, Duration.ofMillis(200));
    String id = engine.client().scheduleNew(RetryTimeoutCallback.ORCHESTRATOR, null);

    String output = engine.awaitCompleted(id).readOutputAs(String.class);
    awaitOverallState(id, output);

    assertThat(output)
        .isEqualTo(
            "Completed API request after 5 attempts. Final state TimedOut, status text: Event"
                + " Callback not received in 00:00:00.2000000");
    assertThat(attempts(id).attempts())
        .extracting(Attempt::state)
        .containsExactly(TIMED_OUT, TIMED_OUT, TIMED_OUT, TIMED_OUT, TIMED_OUT);
    assertThat(api.requests()).hasSize(5);
  }

  @Test
  void aFailedApiCallMovesOnToTheNextAttempt() {
    api.failNext(1);
    startEngine(5, Duration.ofMinutes(10));
    String id = engine.client().scheduleNew(RetryTimeoutCallback.ORCHESTRATOR, null);
    awaitAttempt(id, 2, WAITING_FOR_CALLBACK);

    engine.client().raiseEvent(id, "Callback", true);

    assertThat(engine.awaitCompleted(id).readOutputAs(String.class))
        .startsWith("Completed API request after 2 attempts. Final state CallbackSuccess");
    Attempt first = attempts(id).attempts().getFirst();
    assertThat(first.state()).isEqualTo(EXECUTED_FAILURE);
    assertThat(first.statusText()).contains("The external API answered 503");
    assertThat(api.requests()).hasSize(2);
  }

  @Test
  void anUnavailableApiUsesUpEveryAttempt() {
    api.failNext(3);
    startEngine(3, Duration.ofMinutes(10));
    String id = engine.client().scheduleNew(RetryTimeoutCallback.ORCHESTRATOR, null);

    assertThat(engine.awaitCompleted(id).readOutputAs(String.class))
        .startsWith(
            "Completed API request after 3 attempts. Final state ExecutedFailure, status text:"
                + " The external API answered 503");
  }

  @Test
  void theTimeoutTextFollowsTheDotNetTimeSpanFormat() {
    assertThat(TimeSpans.format(Duration.ofSeconds(60))).isEqualTo("00:01:00");
    assertThat(TimeSpans.format(Duration.ofMillis(250))).isEqualTo("00:00:00.2500000");
    assertThat(TimeSpans.format(Duration.ofHours(26).plusSeconds(4))).isEqualTo("1.02:00:04");
  }
}
