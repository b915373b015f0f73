package dev.fermata.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.InstanceState;
import dev.fermata.NonDeterminismException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.RetryPolicy;
import dev.fermata.Task;
import dev.fermata.entities.EntityId;
import dev.fermata.history.RecordedHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FermataTestEnvironmentTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  /** A new environment's builder, on the store this class tests the kit on. */
  FermataTestEnvironment.Builder env() {
    return FermataTestEnvironment.builder().startAt(START);
  }

  @Test
  void aThirtyDayTimer_passesInVirtualTime() {
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                        "Remind",
                        ctx -> {
                          ctx.createTimer(Duration.ofDays(30)).await();
                          return "reminded at " + ctx.currentTime();
                        }))
            .start()) {
      String id = env.client().scheduleNew("Remind", null);

      InstanceState done = env.waitForCompletion(id);

      assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(done.getSerializedOutput()).isEqualTo("\"reminded at 2026-01-31T00:00:00Z\"");
      assertThat(env.now()).isEqualTo(START.plus(Duration.ofDays(30)));
    }
  }

  @Test
  void aTimerNeverOvertakesARunningActivity() {
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                            "Race",
                            ctx -> {
                              Task<String> work = ctx.callActivity("Work", null, String.class);
                              Task<Void> deadline = ctx.createTimer(Duration.ofMillis(1));
                              return Task.anyOf(work, deadline).await() == work
                                  ? "work first"
                                  : "deadline first";
                            })
                        .activity(
                            "Work",
                            ctx -> {
                              // Real work that takes longer than the virtual deadline.
                              Thread.sleep(100);
                              return "done";
                            }))
            .start()) {
      String id = env.client().scheduleNew("Race", null);

      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"work first\"");
    }
  }

  @Test
  void retryBackoffs_passInVirtualTime_andStandInsRecordTheirCalls() {
    AtomicInteger attempts = new AtomicInteger();
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                            "Charge",
                            ctx ->
                                ctx.callActivity(
                                        "ChargeCard",
                                        42,
                                        RetryPolicy.builder(3, Duration.ofHours(1))
                                            .backoffCoefficient(2)
                                            .build(),
                                        String.class)
                                    .await())
                        .activity("ChargeCard", ctx -> "the real card service"))
            .replaceActivity(
                "ChargeCard",
                ctx -> {
                  if (attempts.incrementAndGet() < 3) {
                    throw new IllegalStateException("declined");
                  }
                  return "approved " + ctx.getInput(Integer.class);
                })
            .start()) {
      String id = env.client().scheduleNew("Charge", null);

      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"approved 42\"");
      assertThat(env.callsTo("chargecard"))
          .hasSize(3)
          .allSatisfy(call -> assertThat(call.input(Integer.class)).isEqualTo(42));
      // The backoffs (one hour, then two) passed in virtual time.
      assertThat(env.callsTo("ChargeCard").get(2).at())
          .isAfterOrEqualTo(START.plus(Duration.ofHours(3)));
      assertThatThrownBy(() -> env.callsTo("Unknown"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'Unknown' has no stand-in");
    }
  }

  @Test
  void anEventScheduledAtAVirtualTime_arrivesBeforeALaterTimeout() {
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                        "Approval",
                        ctx ->
                            ctx.waitForExternalEvent(
                                    "Approve", Duration.ofDays(7), "timed out", String.class)
                                .await()))
            .start()) {
      String id = env.client().scheduleNew("Approval", null);
      env.raiseEventAfter(Duration.ofDays(2), id, "Approve", "approved by Ana");

      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"approved by Ana\"");
      assertThat(env.now()).isEqualTo(START.plus(Duration.ofDays(2)));

      String late = env.client().scheduleNew("Approval", null);
      env.raiseEventAfter(Duration.ofDays(8), late, "Approve", "too late");
      assertThat(env.waitForCompletion(late).getSerializedOutput()).isEqualTo("\"timed out\"");
    }
  }

  @Test
  void advance_runsWhatFallsDueOnTheWay_andStopsThere() {
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                        "Steps",
                        ctx -> {
                          for (int hour = 1; hour <= 3; hour++) {
                            ctx.createTimer(Duration.ofHours(1)).await();
                            ctx.setCustomStatus("hour " + hour);
                          }
                          return "done";
                        }))
            .start()) {
      String id = env.client().scheduleNew("Steps", null);

      env.advance(Duration.ofMinutes(150));

      InstanceState halfway = env.client().getInstance(id).orElseThrow();
      assertThat(halfway.getStatus()).isEqualTo(OrchestrationStatus.RUNNING);
      assertThat(halfway.getSerializedCustomStatus()).isEqualTo("\"hour 2\"");
      assertThat(env.now()).isEqualTo(START.plus(Duration.ofMinutes(150)));
      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"done\"");
      assertThat(env.now()).isEqualTo(START.plus(Duration.ofHours(3)));
    }
  }

  @Test
  void anInstanceThatWaitsForSomethingNothingWillSend_failsTheWaitAndSaysSo() {
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                        "Forever", ctx -> ctx.waitForExternalEvent("Never", String.class).await()))
            .start()) {
      String id = env.client().scheduleNew("Forever", null);

      assertThatThrownBy(() -> env.waitForCompletion(id))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Instance '" + id + "' is Running and waits for something")
          .hasMessageContaining("raiseEventAt");
    }
  }

  @Test
  void aSubOrchestrationStandIn_replacesTheRealOne_andEntitiesCanBeRead() {
    EntityId counter = new EntityId("counter", "c1");
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                            "Parent",
                            ctx -> {
                              ctx.signalEntity(counter, "add", 5);
                              return ctx.callSubOrchestrator(
                                      "Child", null, ctx.getInstanceId() + ":child", String.class)
                                  .await();
                            })
                        .orchestrator("Child", ctx -> "the real child")
                        .entity(
                            "counter",
                            ctx -> {
                              int value = ctx.getState(Integer.class, () -> 0);
                              ctx.setState(value + ctx.getInput(Integer.class));
                              return null;
                            }))
            .replaceOrchestrator("Child", ctx -> "a stand-in child")
            .start()) {
      String id = env.client().scheduleNew("Parent", null);

      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"a stand-in child\"");
      env.advance(Duration.ZERO); // lets the signal be processed
      assertThat(env.entityState(counter, Integer.class)).contains(5);
    }
  }

  /** Ships an order: reserve, wait a day, then the step a release may rename. */
  private FermataTestEnvironment shipping(String lastStep) {
    return env()
        .functions(
            b ->
                b.orchestrator(
                        "Ship",
                        ctx -> {
                          String reserved =
                              ctx.callActivity("Reserve", ctx.getInput(String.class), String.class)
                                  .await();
                          ctx.createTimer(Duration.ofDays(1)).await();
                          return ctx.callActivity(lastStep, reserved, String.class).await();
                        })
                    .activity("Reserve", String.class, (ctx, order) -> "reserved " + order)
                    .activity("Dispatch", String.class, (ctx, r) -> "dispatched")
                    .activity("Courier", String.class, (ctx, r) -> "couriered"))
        .start();
  }

  /** A status as the HTTP API shows it, with showHistory=true and showHistoryOutput=true. */
  private static final String SHOWN_STATUS =
      """
      {"name": "Ship", "instanceId": "order-7", "runtimeStatus": "Running",
       "historyEvents": [
        {"EventType": "ExecutionStarted", "Timestamp": "2026-03-01T09:00:00.000Z",
         "FunctionName": "Ship", "Input": "order-7"},
        {"EventType": "TaskCompleted", "Timestamp": "2026-03-01T09:00:00.120Z",
         "TaskScheduledId": 0, "FunctionName": "Reserve",
         "ScheduledTime": "2026-03-01T09:00:00.010Z", "Input": "order-7",
         "Result": "reserved order-7"},
        {"EventType": "TimerCreated", "Timestamp": "2026-03-01T09:00:00.130Z", "EventId": 1,
         "FireAt": "2026-03-02T09:00:00.130Z"},
        {"EventType": "TimerFired", "Timestamp": "2026-03-02T09:00:00.140Z", "TimerId": 1,
         "FireAt": "2026-03-02T09:00:00.130Z"},
        {"EventType": "TaskScheduled", "Timestamp": "2026-03-02T09:00:00.150Z", "EventId": 2,
         "Name": "Dispatch", "Input": "reserved order-7"}
       ]}
      """;

  @Test
  void aRecordedHistory_replaysAgainstTheCode_andAChangedStepFailsTheTest(@TempDir Path dir)
      throws Exception {
    Path shown = dir.resolve("order-7.json");
    Files.writeString(shown, SHOWN_STATUS);

    try (var same = shipping("Dispatch");
        var renamed = shipping("Courier")) {
      same.replay(shown);
      assertThatThrownBy(() -> renamed.replay(shown))
          .isInstanceOf(NonDeterminismException.class)
          .hasMessageContaining("instance 'order-7'")
          .hasMessageContaining("at sequence #2 the history has activity 'Dispatch'")
          .hasMessageContaining("now schedules activity 'Courier'");
    }
    try (var elsewhere = env().start()) {
      assertThatThrownBy(() -> elsewhere.replay(shown))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Cannot replay 'order-7': no orchestrator 'Ship'");
    }
  }

  @Test
  void aHistoryTakenFromAStore_replaysToo() {
    try (var env = shipping("Dispatch");
        var renamed = shipping("Courier")) {
      String id = env.client().scheduleNew("Ship", "order-8");
      env.waitForCompletion(id);
      var history = new RecordedHistory(id, env.engine().store().getHistory(id));

      env.replay(history);
      assertThatThrownBy(() -> renamed.replay(history))
          .isInstanceOf(NonDeterminismException.class)
          .hasMessageContaining("activity 'Courier'");
    }
  }
}
