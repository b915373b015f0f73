package dev.fermata.internal.worker;

import dev.fermata.history.HistoryEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Questions answered by reading a history. */
final class HistoryScan {
  private HistoryScan() {}

  /** Instance ids of sub-orchestrations started and not yet answered. */
  static List<String> runningChildren(List<HistoryEvent> history) {
    Map<Integer, String> started = new LinkedHashMap<>();
    for (HistoryEvent e : history) {
      switch (e) {
        case HistoryEvent.SubOrchestrationInstanceCreated c ->
            started.put(c.eventId(), c.instanceId());
        case HistoryEvent.SubOrchestrationInstanceCompleted c ->
            started.remove(c.taskScheduledId());
        case HistoryEvent.SubOrchestrationInstanceFailed f -> started.remove(f.taskScheduledId());
        default -> {}
      }
    }
    return new ArrayList<>(started.values());
  }

  /** Sequence numbers that have an answer (completion, failure or firing) in the history. */
  static Set<Integer> answered(List<HistoryEvent> history) {
    Set<Integer> answered = new HashSet<>();
    for (HistoryEvent e : history) {
      switch (e) {
        case HistoryEvent.TaskCompleted c -> answered.add(c.taskScheduledId());
        case HistoryEvent.TaskFailed f -> answered.add(f.taskScheduledId());
        case HistoryEvent.SubOrchestrationInstanceCompleted c -> answered.add(c.taskScheduledId());
        case HistoryEvent.SubOrchestrationInstanceFailed f -> answered.add(f.taskScheduledId());
        case HistoryEvent.TimerFired f -> answered.add(f.timerId());
        case HistoryEvent.EntityOperationCompleted c -> answered.add(c.taskScheduledId());
        case HistoryEvent.EntityOperationFailed f -> answered.add(f.taskScheduledId());
        case HistoryEvent.EntityLockGranted g -> answered.add(g.taskScheduledId());
        default -> {}
      }
    }
    return answered;
  }

  /** Whether {@code events} hold the execution's start. */
  static boolean hasStarted(List<HistoryEvent> events) {
    return events.stream().anyMatch(HistoryEvent.ExecutionStarted.class::isInstance);
  }

  /** Whether the last suspend or resume in {@code history}, then {@code episode}, was a suspend. */
  static boolean isSuspended(List<HistoryEvent> history, List<HistoryEvent> episode) {
    boolean suspended = false;
    for (List<HistoryEvent> events : List.of(history, episode)) {
      for (HistoryEvent e : events) {
        if (e instanceof HistoryEvent.ExecutionSuspended) {
          suspended = true;
        } else if (e instanceof HistoryEvent.ExecutionResumed) {
          suspended = false;
        }
      }
    }
    return suspended;
  }
}
