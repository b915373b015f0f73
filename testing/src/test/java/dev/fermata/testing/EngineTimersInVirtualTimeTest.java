package dev.fermata.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Task;
import dev.fermata.TaskCanceledException;
import dev.fermata.TaskTimeoutException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The engine's timer semantics (cancelled timers, event waits with timeouts, waits left behind by a
 * loop) in virtual time, with timers of hours and days: what the engine's store tests once checked
 * with real timers of 100 to 300 ms.
 */
class EngineTimersInVirtualTimeTest {
  private static final Instant START = Instant.parse("2026-02-01T00:00:00Z");

  /** A new environment's builder, on the store this class tests the engine on. */
  FermataTestEnvironment.Builder env() {
    return FermataTestEnvironment.builder().startAt(START);
  }

  @Test
  void aCancelledTimer_neverCompletesItsTask_evenPastItsDueTime() {
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                        "Cancel",
                        ctx -> {
                          Task<Void> timer = ctx.createTimer(Duration.ofHours(1));
                          boolean cancelled = timer.cancel();
                          ctx.createTimer(Duration.ofHours(3)).await();
                          try {
                            timer.await();
                            return "fired";
                          } catch (TaskCanceledException e) {
                            return "cancelled=" + cancelled;
                          }
                        }))
            .start()) {
      String id = env.client().scheduleNew("Cancel", null);

      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"cancelled=true\"");
      assertThat(env.now()).isEqualTo(START.plus(Duration.ofHours(3)));
    }
  }

  @Test
  void anEventWaitWithATimeout_givesTheDefault_orThrowsWithoutOne() {
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                        "Wait",
                        ctx -> {
                          String withDefault =
                              ctx.waitForExternalEvent(
                                      "x", Duration.ofDays(1), "default", String.class)
                                  .await();
                          try {
                            ctx.waitForExternalEvent("y", Duration.ofDays(2), String.class).await();
                            return "no timeout";
                          } catch (TaskTimeoutException e) {
                            return withDefault + "+timeout";
                          }
                        }))
            .start()) {
      String id = env.client().scheduleNew("Wait", null);

      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"default+timeout\"");
      assertThat(env.now()).isEqualTo(START.plus(Duration.ofDays(3)));
    }
  }

  @Test
  void anEvent_goesToTheNewestWait_soWaitsLeftByEarlierRoundsDoNotSwallowIt() {
    try (var env =
        env()
            .functions(
                b ->
                    b.orchestrator(
                        "Loop",
                        ctx -> {
                          // Each round waits for "go" or an hour; timed-out waits stay pending.
                          int rounds = 0;
                          while (true) {
                            rounds++;
                            Task<String> go = ctx.waitForExternalEvent("go", String.class);
                            Task<Void> tick = ctx.createTimer(Duration.ofHours(1));
                            if (Task.anyOf(go, tick).await() == go) {
                              return go.await() + " in round " + rounds;
                            }
                          }
                        }))
            .start()) {
      String id = env.client().scheduleNew("Loop", null);
      env.raiseEventAfter(Duration.ofMinutes(150), id, "go", "went");

      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"went in round 3\"");
      assertThat(env.now()).isEqualTo(START.plus(Duration.ofMinutes(150)));
    }
  }

  @Test
  void runnersIdleLongerThanTheTimeout_leaveTheCache_byTheVirtualClock() throws Exception {
    try (var env =
        env()
            .functions(
                b ->
                    b.instanceIdleTimeout(Duration.ofHours(1))
                        .orchestrator(
                            "Idle",
                            ctx -> ctx.waitForExternalEvent("go", Integer.class).await() + 1))
            .start()) {
      String id = env.client().scheduleNew("Idle", null);
      env.advance(Duration.ofMinutes(1));
      assertThat(env.engine().cachedInstances()).isEqualTo(1);

      // Two virtual hours pass in an instant; the cache sees them within its next sweep.
      env.advance(Duration.ofHours(2));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (env.engine().cachedInstances() != 0) {
        assertThat(System.nanoTime()).as("the idle runner to leave").isLessThan(deadline);
        Thread.sleep(20);
      }
      env.client().raiseEvent(id, "go", 41);

      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("42");
    }
  }
}
