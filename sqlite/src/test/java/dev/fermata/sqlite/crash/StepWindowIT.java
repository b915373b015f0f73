package dev.fermata.sqlite.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.OrchestrationStatus;
import dev.fermata.fixtures.StepWindowFlow;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.sqlite.crash.CrashWorkload.ActivityLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the process (SIGKILL) inside each window of an activity step on SQLite, where an activity's
 * result reaches its orchestration in memory and is made durable by the orchestration's next
 * checkpoint: after the activity ran but before that checkpoint, and after the task was handed to
 * the activity worker but before the activity ran. Nothing accepted may be lost, and no step may be
 * recorded twice; an activity caught in the first window runs again (at-least-once).
 */
class StepWindowIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void killsInsideBothWindowsOfAStep_loseNothingAndRecordEachStepOnce(
      @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
    Path db = dir.resolve("fermata.db");
    Files.createFile(dir.resolve(StepWindowFlow.HOLD_EPISODE));
    Files.createFile(dir.resolve(StepWindowFlow.HOLD_ACTIVITY));

    // 1. The first activity ran and its result reached the orchestration, which is held before
    //    its checkpoint: killed there, the result was never durable.
    try (ChildJvm child = start(dir, db, "start", 1)) {
      assertThat(child.await("EPISODE_HELD", WAIT)).as("the episode reached its hold").isTrue();
      child.kill();
    }
    assertThat(callsRun(dir)).containsExactly("first");
    assertThat(history(db)).noneMatch(e -> e instanceof HistoryEvent.TaskCompleted);
    Files.delete(dir.resolve(StepWindowFlow.HOLD_EPISODE));

    // 2. At the restart the first task runs again; the second is handed to the activity worker
    //    and held before it runs: killed there.
    try (ChildJvm child = start(dir, db, "resume", 2)) {
      assertThat(child.await("ACTIVITY_HELD", WAIT)).as("the second activity was held").isTrue();
      child.kill();
    }
    assertThat(callsRun(dir)).containsExactly("first", "first");
    Files.delete(dir.resolve(StepWindowFlow.HOLD_ACTIVITY));

    // 3. Nothing held: the second activity runs once and the orchestration completes.
    try (ChildJvm child = start(dir, db, "resume", 3)) {
      assertThat(child.await("COMPLETED", WAIT)).as("the orchestration completed").isTrue();
      assertThat(child.stop(WAIT)).as("exit code after a graceful stop").isZero();
    }
    assertThat(callsRun(dir)).containsExactly("first", "first", "second");
    InstanceRecord done = instance(db);
    assertThat(done.status()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(done.output()).isEqualTo("\"first!second!\"");
    List<HistoryEvent> history = history(db);
    assertThat(history.stream().filter(e -> e instanceof HistoryEvent.TaskScheduled)).hasSize(2);
    assertThat(history.stream().filter(e -> e instanceof HistoryEvent.TaskCompleted)).hasSize(2);
  }

  private static ChildJvm start(Path dir, Path db, String mode, int run) throws Exception {
    return ChildJvm.start(
        StepWindowWorkload.class, dir.resolve("child-" + run + ".log"), db.toString(), mode);
  }

  private static List<String> callsRun(Path dir) throws Exception {
    return ActivityLog.read(dir.resolve(StepWindowWorkload.LOG)).stream()
        .map(ActivityLog.Line::callKey)
        .toList();
  }

  private static InstanceRecord instance(Path db) {
    return read(db, store -> store.getInstance(StepWindowFlow.INSTANCE).orElseThrow());
  }

  private static List<HistoryEvent> history(Path db) {
    return read(db, store -> store.getHistory(StepWindowFlow.INSTANCE));
  }

  /** Reads the file with a store of its own, once the child JVM is gone. */
  private static <T> T read(Path db, Function<SqliteStore, T> query) {
    SqliteStore store = SqliteStore.open(db);
    store.start(InstantSource.system());
    try {
      return query.apply(store);
    } finally {
      store.close();
    }
  }
}
