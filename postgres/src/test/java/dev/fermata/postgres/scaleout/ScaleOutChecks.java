package dev.fermata.postgres.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InstanceRecord;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** What {@link ScaleOutIT} checks once the workload has finished. */
final class ScaleOutChecks {
  private ScaleOutChecks() {}

  /** Waits until every expected instance is terminal; fails naming the unfinished ones. */
  static void awaitAllFinished(DurableStore store, Duration timeout, Supplier<String> diagnostics)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> unfinished = unfinished(store);
    while (!unfinished.isEmpty()) {
      if (System.nanoTime() > deadline) {
        String example = unfinished.get(0);
        List<HistoryEvent> history = store.getHistory(example);
        throw new AssertionError(
            unfinished.size()
                + " instances unfinished, e.g. "
                + example
                + ": "
                + store.getInstance(example).orElse(null)
                + "; its history ends with "
                + history.subList(Math.max(0, history.size() - 6), history.size())
                + diagnostics.get());
      }
      Thread.sleep(250);
      unfinished = unfinished(store);
    }
  }

  private static List<String> unfinished(DurableStore store) {
    List<String> ids = new ArrayList<>();
    for (ScaleOutWorkload.Expected e : ScaleOutWorkload.expected()) {
      boolean done =
          store.getInstance(e.instanceId()).map(r -> r.status().isTerminal()).orElse(false);
      if (!done) {
        ids.add(e.instanceId());
      }
    }
    return ids;
  }

  /** Every instance completed with its expected output, and no step is in its history twice. */
  static void checkInstances(DurableStore store) {
    for (ScaleOutWorkload.Expected e : ScaleOutWorkload.expected()) {
      InstanceRecord row = store.getInstance(e.instanceId()).orElseThrow();
      assertThat(row.status()).as(e.instanceId()).isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(row.output()).as(e.instanceId()).isEqualTo("\"" + e.output() + "\"");
      checkHistory(e.instanceId(), store.getHistory(e.instanceId()));
    }
  }

  /** Each scheduled task and timer has exactly one outcome; each timer fired once. */
  private static void checkHistory(String id, List<HistoryEvent> history) {
    Set<Integer> scheduled = new HashSet<>();
    Map<Integer, Integer> outcomes = new HashMap<>();
    Set<Integer> timers = new HashSet<>();
    Map<Integer, Integer> fired = new HashMap<>();
    for (HistoryEvent event : history) {
      switch (event) {
        case HistoryEvent.TaskScheduled s ->
            assertThat(scheduled.add(s.eventId())).as(id + " task scheduled once").isTrue();
        case HistoryEvent.TaskCompleted c -> outcomes.merge(c.taskScheduledId(), 1, Integer::sum);
        case HistoryEvent.TaskFailed f -> outcomes.merge(f.taskScheduledId(), 1, Integer::sum);
        case HistoryEvent.TimerCreated t ->
            assertThat(timers.add(t.eventId())).as(id + " timer created once").isTrue();
        case HistoryEvent.TimerFired t -> fired.merge(t.timerId(), 1, Integer::sum);
        default -> {}
      }
    }
    if (outcomes.values().stream().anyMatch(n -> n != 1)) {
      history.forEach(e -> System.out.println("history of " + id + ": " + e));
    }
    assertThat(outcomes.values()).as(id + ": one outcome per task").allMatch(n -> n == 1);
    assertThat(outcomes.keySet()).as(id + ": outcomes of scheduled tasks").isEqualTo(scheduled);
    assertThat(fired.keySet()).as(id + ": every timer fired").isEqualTo(timers);
    assertThat(fired.values()).as(id + ": each timer fired once").allMatch(n -> n == 1);
  }

  /** Every logical activity call ran; returns how many runs each worker made. */
  static Map<String, Integer> checkActivityRuns(Connection db) throws SQLException {
    Set<String> calls = new HashSet<>();
    Map<String, Integer> byWorker = new HashMap<>();
    try (Statement select = db.createStatement();
        ResultSet rows = select.executeQuery("SELECT call_key, worker FROM public.activity_runs")) {
      while (rows.next()) {
        calls.add(rows.getString(1));
        byWorker.merge(rows.getString(2), 1, Integer::sum);
      }
    }
    for (ScaleOutWorkload.Expected e : ScaleOutWorkload.expected()) {
      assertThat(calls).as("calls of " + e.instanceId()).containsAll(e.calls());
    }
    return byWorker;
  }
}
