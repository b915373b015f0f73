package dev.fermata.internal.worker;

import dev.fermata.history.HistoryEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How a Failed execution is rewound: the failures delivered in its last episode (the ones the code
 * did not survive) and its completion are taken out of the history, and the calls whose failure was
 * taken out run again. Replaying the result brings the code back to the awaits where it failed.
 *
 * <p>A call still outstanding when the instance failed is not issued again: its task (or child) is
 * still in the store, and its answer, when it comes, is kept in the Failed instance's history (see
 * {@link #isLateAnswer}) or delivered to the rewound one. Running it again would run it twice.
 */
final class Rewind {
  record Plan(
      List<HistoryEvent> history,
      List<HistoryEvent.TaskScheduled> activitiesToRerun,
      List<HistoryEvent.TimerCreated> timersToRearm,
      List<String> childrenToRewind) {}

  private Rewind() {}

  /**
   * True for an answer to a call that a Failed instance keeps in its history rather than drop, so
   * that a rewind uses it. Timers are re-armed by a rewind instead, and a lock granted after the
   * instance failed was released when it failed.
   */
  static boolean isLateAnswer(HistoryEvent e) {
    return e instanceof HistoryEvent.TaskCompleted
        || e instanceof HistoryEvent.TaskFailed
        || e instanceof HistoryEvent.SubOrchestrationInstanceCompleted
        || e instanceof HistoryEvent.SubOrchestrationInstanceFailed
        || e instanceof HistoryEvent.EntityOperationCompleted
        || e instanceof HistoryEvent.EntityOperationFailed;
  }

  /**
   * Plans the rewind of a Failed execution.
   *
   * @param history its stored history, followed by any late answers not yet stored
   */
  static Plan plan(List<HistoryEvent> history) {
    // Late answers are stored after the failure without an episode of their own, so the last
    // episode is the one that failed, and a late failure is taken out like one delivered in it.
    int lastEpisode = 0;
    for (int i = 0; i < history.size(); i++) {
      if (history.get(i) instanceof HistoryEvent.OrchestratorStarted) {
        lastEpisode = i;
      }
    }
    List<HistoryEvent> kept = new ArrayList<>(history.size());
    Set<Integer> failedCalls = new HashSet<>();
    for (int i = 0; i < history.size(); i++) {
      HistoryEvent e = history.get(i);
      if (i > lastEpisode && e instanceof HistoryEvent.TaskFailed f) {
        failedCalls.add(f.taskScheduledId());
      } else if (i > lastEpisode && e instanceof HistoryEvent.SubOrchestrationInstanceFailed f) {
        failedCalls.add(f.taskScheduledId());
      } else if (!(e instanceof HistoryEvent.ExecutionCompleted)) {
        kept.add(e);
      }
    }
    Set<Integer> answered = HistoryScan.answered(kept);
    List<HistoryEvent.TaskScheduled> activities = new ArrayList<>();
    List<HistoryEvent.TimerCreated> timers = new ArrayList<>();
    List<String> children = new ArrayList<>();
    for (HistoryEvent e : kept) {
      switch (e) {
        case HistoryEvent.TaskScheduled t
            when failedCalls.contains(t.eventId()) && !answered.contains(t.eventId()) ->
            activities.add(t);
        case HistoryEvent.TimerCreated t when !answered.contains(t.eventId()) -> timers.add(t);
        case HistoryEvent.SubOrchestrationInstanceCreated c
            when failedCalls.contains(c.eventId()) && !answered.contains(c.eventId()) ->
            children.add(c.instanceId());
        default -> {}
      }
    }
    return new Plan(kept, activities, timers, children);
  }
}
