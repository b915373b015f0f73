package dev.fermata.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.RetryPolicy;
import dev.fermata.Task;
import dev.fermata.entities.EntityId;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FermataTestEnvironmentTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private static FermataTestEnvironment.Builder env() {
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
}
