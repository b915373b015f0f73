package dev.fermata.postgres.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.OrchestrationStatus;
import dev.fermata.fixtures.StepWindowFlow;
import dev.fermata.history.HistoryEvent;
import dev.fermata.postgres.PostgresOptions;
import dev.fermata.postgres.PostgresStore;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.InstanceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a PostgreSQL worker (SIGKILL) inside each window of an activity step that stays on one
 * worker: after the activity ran but before the checkpoint that records its held result, and after
 * the task was locked for the worker and handed to its activity threads but before the activity
 * ran. The next worker takes the instance and the task over once their leases run out; nothing
 * accepted is lost, no step is recorded twice, and the activity caught in the first window runs
 * again (at-least-once).
 */
class StepWindowIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final String HUB = "steps";

  @TempDir Path dir;

  @Test
  void killsInsideBothWindowsOfAStep_loseNothingAndRecordEachStepOnce() throws Exception {
    try (TestPostgres postgres = TestPostgres.createDatabase()) {
      String url = postgres.jdbcUrl();
      Files.createFile(dir.resolve(StepWindowFlow.HOLD_EPISODE));
      Files.createFile(dir.resolve(StepWindowFlow.HOLD_ACTIVITY));

      // 1. The first activity ran on the worker that scheduled it, and its result was handed to
      //    the orchestration from memory, which is held before its checkpoint: killed there, the
      //    result was never written anywhere.
      try (WorkerProcess worker = start(url, "worker-1", "start")) {
        worker.await("EPISODE_HELD", WAIT);
        assertThat(worker.kill()).as("exit code of a JVM killed by SIGKILL").isEqualTo(137);
      }
      assertThat(callsRun()).containsExactly("first");
      assertThat(history(url)).noneMatch(e -> e instanceof HistoryEvent.TaskCompleted);
      Files.delete(dir.resolve(StepWindowFlow.HOLD_EPISODE));

      // 2. The next worker takes over once the leases run out: the first task runs again; the
      //    second is locked for this worker and handed to its activity threads, and held before
      //    it runs: killed there.
      try (WorkerProcess worker = start(url, "worker-2", "resume")) {
        worker.await("ACTIVITY_HELD", WAIT);
        worker.kill();
      }
      assertThat(callsRun()).containsExactly("first", "first");
      Files.delete(dir.resolve(StepWindowFlow.HOLD_ACTIVITY));

      // 3. Nothing held: the second activity runs once and the orchestration completes.
      try (WorkerProcess worker = start(url, "worker-3", "resume")) {
        worker.await("COMPLETED", WAIT);
      }
      assertThat(callsRun()).containsExactly("first", "first", "second");
      InstanceRecord done = instance(url);
      assertThat(done.status()).isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(done.output()).isEqualTo("\"first!second!\"");
      List<HistoryEvent> history = history(url);
      assertThat(history.stream().filter(e -> e instanceof HistoryEvent.TaskScheduled)).hasSize(2);
      assertThat(history.stream().filter(e -> e instanceof HistoryEvent.TaskCompleted)).hasSize(2);
    }
  }

  private WorkerProcess start(String url, String name, String mode) throws Exception {
    return WorkerProcess.start(
        name,
        dir,
        StepWindowWorkload.class,
        url,
        HUB,
        String.valueOf(LEASE.toMillis()),
        dir.toString(),
        mode);
  }

  private List<String> callsRun() throws Exception {
    Path log = dir.resolve(StepWindowWorkload.LOG);
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  private static InstanceRecord instance(String url) {
    try (PostgresStore store = observer(url)) {
      return store.getInstance(StepWindowFlow.INSTANCE).orElseThrow();
    }
  }

  private static List<HistoryEvent> history(String url) {
    try (PostgresStore store = observer(url)) {
      return store.getHistory(StepWindowFlow.INSTANCE);
    }
  }

  /** A store in the test process for reading; it never takes work. */
  private static PostgresStore observer(String url) {
    PostgresStore store =
        PostgresStore.open(
            PostgresOptions.builder(url).user("postgres").hubName(HUB).maxPoolSize(2).build());
    store.start(InstantSource.system());
    return store;
  }
}
