package dev.fermata.samples.notifysupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.history.HistoryEvent;
import dev.fermata.samples.SampleEngine;
import dev.fermata.samples.notifysupport.SmsGateway.Sms;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotifySupportTest {
  private static final SupportContact ADA = new SupportContact("Ada", "+31600000001");
  private static final SupportContact GRACE = new SupportContact("Grace", "+31600000002");

  @TempDir Path dir;
  private final SmsGateway gateway = new SmsGateway();
  private SampleEngine engine;
  private SupportCallbacks callbacks;

  private void start(Duration callbackTimeout, int maxNotifications) {
    var settings =
        new NotifySupportSettings(List.of(ADA, GRACE), callbackTimeout, maxNotifications);
    engine = SampleEngine.start(dir, b -> NotifySupport.register(b, settings, gateway));
    callbacks = new SupportCallbacks(engine.client());
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void theFirstContactWhoCallsBackEndsTheFlow() {
    start(Duration.ofMinutes(10), 3);
    String id = engine.client().scheduleNew(NotifySupport.ORCHESTRATOR, null);
    SampleEngine.awaitCondition(
        "Ada got a message", () -> !gateway.sentTo(ADA.phoneNumber()).isEmpty());

    assertThat(callbacks.acknowledge(ADA.phoneNumber())).contains(id + ":0");

    assertThat(engine.awaitCompleted(id).readOutputAs(String.class))
        .isEqualTo("Acknowledged by Ada (+31600000001)");
    assertThat(gateway.sent()).extracting(Sms::phoneNumber).containsExactly(ADA.phoneNumber());
    assertThat(gateway.sent().getFirst().text()).contains("Hi Ada").contains("notification 1");
  }

  @Test
  void whenTheFirstContactDoesNotAnswerTheNextOneCan() {
    // Ada's notification times out; Grace answers as soon as her message is out, well within it.
    start(Duration.ofSeconds(2), 1);
    String id = engine.client().scheduleNew(NotifySupport.ORCHESTRATOR, null);
    SampleEngine.awaitCondition(
        "Grace got a message", () -> !gateway.sentTo(GRACE.phoneNumber()).isEmpty());

    assertThat(callbacks.acknowledge(GRACE.phoneNumber())).contains(id + ":1");

    assertThat(engine.awaitCompleted(id).readOutputAs(String.class))
        .isEqualTo("Acknowledged by Grace (+31600000002)");
    assertThat(gateway.sent())
        .extracting(Sms::phoneNumber)
        .containsExactly(ADA.phoneNumber(), GRACE.phoneNumber());
  }

  @Test
  void withoutCallbacksEveryContactIsNotifiedTheMaximumNumberOfTimes() {
    start(Duration.ofMillis(150), 2);
    String id = engine.client().scheduleNew(NotifySupport.ORCHESTRATOR, null);

    assertThat(engine.awaitCompleted(id).readOutputAs(String.class))
        .isEqualTo("Nobody acknowledged the notification");
    assertThat(gateway.sent())
        .extracting(Sms::phoneNumber)
        .containsExactly(
            ADA.phoneNumber(), ADA.phoneNumber(), GRACE.phoneNumber(), GRACE.phoneNumber());
    assertThat(gateway.sentTo(ADA.phoneNumber()).get(1).text()).contains("notification 2");
    // One sub-orchestration per contact, each continued as new for its second notification.
    assertThat(engine.client().getInstance(id + ":0").orElseThrow().readOutputAs(Boolean.class))
        .isFalse();
    assertThat(engine.client().getInstance(id + ":1").orElseThrow().readOutputAs(Boolean.class))
        .isFalse();
  }

  @Test
  void aCallbackFromANumberNobodyWaitsForIsNotFound() {
    start(Duration.ofMinutes(10), 3);
    String id = engine.client().scheduleNew(NotifySupport.ORCHESTRATOR, null);
    SampleEngine.awaitCondition(
        "Ada got a message", () -> !gateway.sentTo(ADA.phoneNumber()).isEmpty());

    // Grace is on the rota but not notified yet; the other number is not on it at all.
    assertThat(callbacks.acknowledge(GRACE.phoneNumber())).isEmpty();
    assertThat(callbacks.acknowledge("+31699999999")).isEmpty();
    assertThatThrownBy(() -> callbacks.acknowledge(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("phoneNumber is required");
    assertThat(engine.client().getInstance(id).orElseThrow().isFinished()).isFalse();
  }

  @Test
  void aCallbackRaisedAsTheNotificationContinuesAsNewSendsNoFurtherSms() {
    // Long enough for the suspension below to land before the notification times out.
    start(Duration.ofSeconds(2), 3);
    String id = engine.client().scheduleNew(NotifySupport.ORCHESTRATOR, null);
    String child = id + ":0";
    // The timeout's timer, not just the message: the message is sent when the activity runs, the
    // timer made only by the episode that records its result. A suspend that lands before that
    // episode would hold the result back, and no timer would ever fire.
    SampleEngine.awaitCondition(
        "Ada's callback timeout started",
        () ->
            engine.client().getInstance(child).isPresent()
                && engine.client().getHistory(child).stream()
                    .anyMatch(e -> e instanceof HistoryEvent.TimerCreated));
    assertThat(gateway.sentTo(ADA.phoneNumber())).isNotEmpty();
    String executionOfFirstNotification =
        engine.client().getInstance(child).orElseThrow().getExecutionId();
    // Hold the notification while its timeout fires, and answer before it can go on: on resume
    // the timeout makes it continue as new, and the callback is carried over to the new execution.
    engine.client().suspend(child, "test: order the callback after the timeout");
    SampleEngine.awaitCondition(
        "Ada's notification timed out",
        () ->
            engine.client().getHistory(child).stream()
                .anyMatch(e -> e instanceof HistoryEvent.TimerFired));
    assertThat(engine.client().getHistory(child))
        .as("suspended before the timeout fired")
        .filteredOn(
            e ->
                e instanceof HistoryEvent.ExecutionSuspended
                    || e instanceof HistoryEvent.TimerFired)
        .first()
        .isInstanceOf(HistoryEvent.ExecutionSuspended.class);
    assertThat(callbacks.acknowledge(ADA.phoneNumber())).contains(child);
    engine.client().resume(child, "test: callback raised");

    assertThat(engine.awaitCompleted(id).readOutputAs(String.class))
        .isEqualTo("Acknowledged by Ada (+31600000001)");
    assertThat(engine.client().getInstance(child).orElseThrow().getExecutionId())
        .as("the notification continued as new")
        .isNotEqualTo(executionOfFirstNotification);
    assertThat(gateway.sent()).extracting(Sms::phoneNumber).containsExactly(ADA.phoneNumber());
  }
}
