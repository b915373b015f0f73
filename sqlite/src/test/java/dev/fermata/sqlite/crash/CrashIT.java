package dev.fermata.sqlite.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.sqlite.crash.CrashWorkload.ActivityLog;
import dev.fermata.sqlite.crash.CrashWorkload.Expected;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * Kills a Fermata process with SIGKILL, repeatedly, in the middle of a mixed workload on SQLite
 * (synchronous = FULL), restarts it each time, and checks that every instance still ends with
 * exactly its expected output, that no history records a step twice, and that every activity call
 * ran at least once. Activities run at least once, so re-executions after a crash are allowed; they
 * are counted and reported, and bounded by what can be in flight at a kill.
 *
 * <p>The seed of the kill timings is printed; pass {@code -Dcrash.seed=N} to reuse one.
 */
class CrashIT {
  private static final int KILLS = 5;
  private static final int MIN_KILLS_DURING_WORK = 3;
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration FINISH = Duration.ofMinutes(3);

  @Test
  void everyInstanceCompletesExactlyOnce_acrossRepeatedKills(
      @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir, TestReporter reporter) throws Exception {
    long began = System.nanoTime();
    long seed = Long.getLong("crash.seed", System.nanoTime());
    List<Expected> expected = CrashWorkload.expected();
    Path db = dir.resolve("fermata.db");

    KillRun run = killRepeatedly(dir, db, expected.size(), new Random(seed));
    Verification result = Verification.run(db, expected);
    List<String> logged = loggedProblems(dir);

    String summary =
        String.format(
            "CrashIT seed=%d: %d instances, %d kills (%d during work), %d activity executions of"
                + " %d tasks, %d tasks ran more than once (%d extra runs), %d warnings logged,"
                + " %.1f s; %s; files in %s (kept on failure)",
            seed,
            expected.size(),
            KILLS,
            run.killsDuringWork(),
            result.executions,
            result.tasks,
            result.tasksRunTwice,
            result.extraRuns,
            logged.size(),
            (System.nanoTime() - began) / 1e9,
            String.join("; ", run.rounds()),
            dir);
    System.out.println(summary);
    reporter.publishEntry("crash", summary);

    assertThat(result.wrongOutcomes)
        .as(
            "instances not Completed with their expected output"
                + (run.finished() ? "" : " (the workload did not finish within " + FINISH + ")"))
        .isEmpty();
    assertThat(result.historyProblems).as("histories with a step recorded twice").isEmpty();
    assertThat(result.entityProblems)
        .as("counter entities not at their exact totals, or still locked")
        .isEmpty();
    assertThat(result.callsNeverRun).as("activity calls that never ran").isEmpty();
    assertThat(result.answersWithoutRun)
        .as("activity results in a history with no execution in the activity log")
        .isEmpty();
    // A re-run needs a kill between running an activity and committing its result: at most
    // MAX_CONCURRENT_ACTIVITIES activities are running, and MAX_HELD_RESULTS results are held in
    // memory for their orchestration's next checkpoint, at once.
    assertThat(result.extraRuns)
        .as("activity re-executions, bounded by what can be in flight at the kills")
        .isLessThanOrEqualTo(
            KILLS * (CrashWorkload.MAX_CONCURRENT_ACTIVITIES + CrashWorkload.MAX_HELD_RESULTS));
    assertThat(logged)
        .as("errors the workload JVMs logged")
        .noneMatch(line -> line.contains(" ERROR "));
    // Kills of an idle engine prove nothing: most must land while instances are still running.
    assertThat(run.killsDuringWork())
        .as("kills that interrupted unfinished work")
        .isGreaterThanOrEqualTo(MIN_KILLS_DURING_WORK);
  }

  /** How the kills went: one line per kill, and whether the last child saw everything finish. */
  private record KillRun(List<String> rounds, int killsDuringWork, boolean finished) {}

  /**
   * Starts the workload, kills it {@link #KILLS} times at random moments (restarting it after each
   * kill), then lets the last child run until every instance has finished and stops it gracefully.
   */
  private static KillRun killRepeatedly(Path dir, Path db, int instances, Random random)
      throws Exception {
    List<String> rounds = new ArrayList<>();
    int killsDuringWork = 0;
    ChildJvm child =
        ChildJvm.start(CrashWorkload.class, dir.resolve("child-0.log"), db.toString(), "start");
    try {
      child.await("READY", STARTUP);
      child.await("SCHEDULED", STARTUP);
      for (int kill = 1; kill <= KILLS; kill++) {
        long runMillis = 200 + random.nextInt(1301);
        Thread.sleep(runMillis);
        boolean doneBefore = child.saw("DONE");
        assertThat(child.kill())
            .as("exit code of a JVM killed by SIGKILL (128 + 9)")
            .isEqualTo(137);
        int unfinished = instances - countCompleted(db);
        if (unfinished > 0 && !doneBefore) {
          killsDuringWork++;
        }
        rounds.add(
            String.format(
                "kill %d after %d ms: %d unfinished, %d KB of WAL to recover",
                kill, runMillis, unfinished, walBytes(db) / 1024));
        child =
            ChildJvm.start(
                CrashWorkload.class,
                dir.resolve("child-" + kill + ".log"),
                db.toString(),
                "resume");
        child.await("READY", STARTUP);
      }
      boolean finished = child.await("DONE", FINISH);
      if (finished) {
        assertThat(child.stop(Duration.ofSeconds(30)))
            .as("exit code of the last child after a graceful shutdown")
            .isZero();
      }
      return new KillRun(rounds, killsDuringWork, finished);
    } finally {
      child.close(); // never leave a JVM behind
    }
  }

  private static long walBytes(Path db) throws IOException {
    Path wal = db.resolveSibling(db.getFileName() + "-wal");
    return Files.exists(wal) ? Files.size(wal) : 0;
  }

  /** The warnings and errors the workload JVMs logged (slf4j-simple writes them to stderr). */
  private static List<String> loggedProblems(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (var logs = Files.newDirectoryStream(dir, "child-*.log")) {
      for (Path log : logs) {
        for (String line : Files.readAllLines(log)) {
          if (line.contains(" WARN ") || line.contains(" ERROR ")) {
            lines.add(log.getFileName() + ": " + line);
          }
        }
      }
    }
    return lines;
  }

  /**
   * Completed instances, read straight from the file while no child is running. Read-only on
   * purpose: the last read-write connection to close checkpoints and deletes the WAL, which would
   * do the crash recovery here instead of in the restarted engine.
   */
  private static int countCompleted(Path db) throws SQLException {
    SQLiteConfig readOnly = new SQLiteConfig();
    readOnly.setReadOnly(true);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, readOnly.toProperties());
        Statement s = c.createStatement();
        ResultSet row =
            s.executeQuery("SELECT COUNT(*) FROM instances WHERE status = 'COMPLETED'")) {
      return row.next() ? row.getInt(1) : 0;
    }
  }

  /** What the database and the activity log say once the workload has run. */
  private static final class Verification {
    private static final ObjectMapper JSON = new ObjectMapper();

    final List<String> wrongOutcomes = new ArrayList<>();
    final List<String> historyProblems = new ArrayList<>();
    final List<String> callsNeverRun = new ArrayList<>();
    final List<String> answersWithoutRun = new ArrayList<>();
    final List<String> entityProblems = new ArrayList<>();
    int executions;
    int tasks;
    int tasksRunTwice;
    int extraRuns;

    static Verification run(Path db, List<Expected> expected) throws IOException {
      Verification v = new Verification();
      List<ActivityLog.Line> log = ActivityLog.read(db.resolveSibling(CrashWorkload.ACTIVITY_LOG));
      v.countRuns(log);
      Set<String> runKeys = new HashSet<>();
      Set<String> callsRun = new HashSet<>();
      for (ActivityLog.Line line : log) {
        runKeys.add(line.idempotencyKey());
        callsRun.add(line.callKey());
      }
      // A store without an engine: it reads what the workload left and runs nothing.
      SqliteStore store = SqliteStore.open(db);
      store.start(InstantSource.system());
      try {
        for (Expected e : expected) {
          Optional<InstanceRecord> record = store.getInstance(e.instanceId());
          v.checkOutcome(e, record);
          if (record.isPresent()) {
            List<HistoryEvent> history = store.getHistory(e.instanceId());
            v.historyProblems.addAll(HistoryCheck.problems(e.instanceId(), history));
            v.checkAnswersRan(record.get(), history, runKeys);
          }
          for (String call : e.callKeys()) {
            if (!callsRun.contains(call)) {
              v.callsNeverRun.add(call);
            }
          }
        }
        v.checkCounters(store);
      } finally {
        store.close();
      }
      return v;
    }

    private void countRuns(List<ActivityLog.Line> log) {
      Map<String, Integer> runs = new HashMap<>();
      for (ActivityLog.Line line : log) {
        runs.merge(line.idempotencyKey(), 1, Integer::sum);
      }
      executions = log.size();
      tasks = runs.size();
      for (int n : runs.values()) {
        if (n > 1) {
          tasksRunTwice++;
          extraRuns += n - 1;
        }
      }
    }

    private void checkOutcome(Expected e, Optional<InstanceRecord> found) throws IOException {
      if (found.isEmpty()) {
        wrongOutcomes.add(e.instanceId() + ": missing");
        return;
      }
      InstanceRecord r = found.get();
      String output = JSON.writeValueAsString(e.output());
      String parent = r.parent() == null ? null : r.parent().instanceId();
      if (r.status() != OrchestrationStatus.COMPLETED
          || !output.equals(r.output())
          || !e.orchestrator().equals(r.name())
          || !Objects.equals(e.parentId(), parent)) {
        wrongOutcomes.add(
            e.instanceId()
                + ": "
                + r.name()
                + " "
                + r.status()
                + " output="
                + r.output()
                + " expected="
                + output
                + (r.failure() == null ? "" : " failure=" + r.failure().errorMessage()));
      }
    }

    /** Each counter holds exactly its total (no operation lost or applied twice), unlocked. */
    private void checkCounters(SqliteStore store) {
      CrashWorkload.expectedCounters()
          .forEach(
              (id, total) -> {
                Optional<InstanceRecord> row = store.getInstance(id.toString());
                String state = row.map(InstanceRecord::output).orElse(null);
                String scheduler = row.map(InstanceRecord::customStatus).orElse(null);
                if (!String.valueOf(total).equals(state) || scheduler != null) {
                  entityProblems.add(
                      id + ": state=" + state + " expected=" + total + " scheduler=" + scheduler);
                }
              });
    }

    /** Every activity result in the history must come from an execution in the log. */
    private void checkAnswersRan(
        InstanceRecord r, List<HistoryEvent> history, Set<String> runKeys) {
      for (HistoryEvent event : history) {
        int taskId =
            switch (event) {
              case HistoryEvent.TaskCompleted c -> c.taskScheduledId();
              case HistoryEvent.TaskFailed f -> f.taskScheduledId();
              default -> -1;
            };
        String key = r.instanceId() + ":" + r.executionId() + ":" + taskId;
        if (taskId >= 0 && !runKeys.contains(key)) {
          answersWithoutRun.add(key);
        }
      }
    }
  }

  /**
   * Checks a history (the current execution's: continueAsNew starts a new one) for steps recorded
   * twice and for answers to something never scheduled.
   */
  private static final class HistoryCheck {
    private HistoryCheck() {}

    static List<String> problems(String instanceId, List<HistoryEvent> history) {
      List<String> problems = new ArrayList<>();
      Map<Integer, String> scheduled = new HashMap<>();
      Set<String> answered = new HashSet<>();
      Map<String, Integer> eventsRaised = new HashMap<>();
      int starts = 0;
      int ends = 0;
      for (HistoryEvent e : history) {
        switch (e) {
          case HistoryEvent.ExecutionStarted s -> starts++;
          case HistoryEvent.ExecutionCompleted c -> ends++;
          case HistoryEvent.TaskScheduled s -> schedule(scheduled, s.eventId(), "task", problems);
          case HistoryEvent.TimerCreated t -> schedule(scheduled, t.eventId(), "timer", problems);
          case HistoryEvent.SubOrchestrationInstanceCreated s ->
              schedule(scheduled, s.eventId(), "child", problems);
          case HistoryEvent.EventSent s -> schedule(scheduled, s.eventId(), "send", problems);
          case HistoryEvent.EntityOperationSent s ->
              schedule(scheduled, s.eventId(), s.signal() ? "signal" : "entity", problems);
          case HistoryEvent.EntityLockRequested l ->
              schedule(scheduled, l.eventId(), "lock", problems);
          case HistoryEvent.EntityUnlockSent u ->
              schedule(scheduled, u.eventId(), "unlock", problems);
          case HistoryEvent.EntityOperationCompleted c ->
              answer(scheduled, answered, c.taskScheduledId(), "entity", problems);
          case HistoryEvent.EntityOperationFailed f ->
              answer(scheduled, answered, f.taskScheduledId(), "entity", problems);
          case HistoryEvent.EntityLockGranted g ->
              answer(scheduled, answered, g.taskScheduledId(), "lock", problems);
          case HistoryEvent.TaskCompleted c ->
              answer(scheduled, answered, c.taskScheduledId(), "task", problems);
          case HistoryEvent.TaskFailed f ->
              answer(scheduled, answered, f.taskScheduledId(), "task", problems);
          case HistoryEvent.TimerFired f ->
              answer(scheduled, answered, f.timerId(), "timer", problems);
          case HistoryEvent.SubOrchestrationInstanceCompleted c ->
              answer(scheduled, answered, c.taskScheduledId(), "child", problems);
          case HistoryEvent.SubOrchestrationInstanceFailed f ->
              answer(scheduled, answered, f.taskScheduledId(), "child", problems);
          // Every event of this workload is raised once per instance.
          case HistoryEvent.EventRaised r -> eventsRaised.merge(r.name(), 1, Integer::sum);
          default -> {}
        }
      }
      if (starts != 1 || ends != 1) {
        problems.add(starts + " ExecutionStarted and " + ends + " ExecutionCompleted");
      }
      eventsRaised.forEach(
          (name, n) -> {
            if (n > 1) {
              problems.add("event '" + name + "' delivered " + n + " times");
            }
          });
      return problems.stream().map(p -> instanceId + ": " + p).toList();
    }

    private static void schedule(
        Map<Integer, String> scheduled, int id, String kind, List<String> problems) {
      String previous = scheduled.putIfAbsent(id, kind);
      if (previous != null) {
        problems.add("sequence #" + id + " scheduled twice (" + previous + ", " + kind + ")");
      }
    }

    private static void answer(
        Map<Integer, String> scheduled,
        Set<String> answered,
        int id,
        String kind,
        List<String> problems) {
      if (!kind.equals(scheduled.get(id))) {
        problems.add(kind + " answer for #" + id + ", which scheduled " + scheduled.get(id));
      } else if (!answered.add(kind + id)) {
        problems.add(kind + " #" + id + " answered twice");
      }
    }
  }
}
