package dev.fermata.sqlite.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An engine stopped and started again on the same file picks up exactly where it was. */
class SqliteRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private Fermata engine(UnaryOperator<Fermata.Builder> functions, Duration grace) {
    return functions
        .apply(
            Fermata.builder()
                .store(SqliteStore.open(dir.resolve("fermata.db")))
                .shutdownGracePeriod(grace))
        .build()
        .start();
  }

  private static Fermata.Builder timerAndEvent(Fermata.Builder b) {
    return b.orchestrator(
        "Approval",
        ctx -> {
          ctx.createTimer(Duration.ofMillis(800)).await();
          return ctx.waitForExternalEvent("approve", String.class).await() + " after timer";
        });
  }

  @Test
  void timersAndWaitingInstances_surviveARestart() {
    String id;
    try (Fermata first = engine(SqliteRestartTest::timerAndEvent, Duration.ofSeconds(5))) {
      id = first.client().scheduleNew("Approval", null);
      first.client().waitForStart(id, WAIT);
    }

    try (Fermata second = engine(SqliteRestartTest::timerAndEvent, Duration.ofSeconds(5))) {
      second.client().raiseEvent(id, "approve", "yes");
      InstanceState done = second.client().waitForCompletion(id, WAIT);

      assertThat(done.readOutputAs(String.class)).isEqualTo("yes after timer");
      // Never early: the instance finished at or after the time its timer was due.
      Instant due =
          second.store().getHistory(id).stream()
              .filter(HistoryEvent.TimerCreated.class::isInstance)
              .map(e -> ((HistoryEvent.TimerCreated) e).fireAt())
              .findFirst()
              .orElseThrow();
      assertThat(done.getLastUpdatedAt()).isAfterOrEqualTo(due);
    }
  }

  @Test
  void anActivityStillRunningAfterTheGracePeriod_runsAgainAfterRestart() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    UnaryOperator<Fermata.Builder> functions =
        b ->
            b.orchestrator("Job", ctx -> ctx.callActivity("Long", null, Integer.class).await())
                .activity(
                    "Long",
                    ctx -> {
                      int run = runs.incrementAndGet();
                      started.countDown();
                      if (run == 1) {
                        release.await(); // the first run outlives the grace period
                      }
                      return run;
                    });
    String id;
    try (Fermata first = engine(functions, Duration.ofMillis(200))) {
      id = first.client().scheduleNew("Job", null);
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    }
    release.countDown();

    try (Fermata second = engine(functions, Duration.ofSeconds(5))) {
      InstanceState done = second.client().waitForCompletion(id, WAIT);

      assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(done.readOutputAs(Integer.class)).isEqualTo(2);
      assertThat(runs).hasValue(2);
    }
  }
}
