package dev.fermata.internal.worker;

import dev.fermata.history.HistoryEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a Failed execution is rewound: the failures delivered in its last episode (the ones the code
 * did not survive) and its completion are taken out of the history, and every call left without an
 * answer runs again. Replaying the result brings the code back to the awaits where it failed.
 */
final class Rewind {
  record Plan(
      List<HistoryEvent> history,
      List<HistoryEvent.TaskScheduled> activitiesToRerun,
      List<HistoryEvent.TimerCreated> timersToRearm,
      List<String> childrenToRewind) {}

  private Rewind() {}

  static Plan plan(List<HistoryEvent> history, Instant now) {
    int lastEpisode = 0;
    for (int i = 0; i < history.size(); i++) {
      if (history.get(i) instanceof HistoryEvent.OrchestratorStarted) {
        lastEpisode = i;
      }
    }
    List<HistoryEvent> kept = new ArrayList<>(history.size());
    for (int i = 0; i < history.size(); i++) {
      HistoryEvent e = history.get(i);
      boolean failureInLastEpisode =
          i > lastEpisode
              && (e instanceof HistoryEvent.TaskFailed
                  || e instanceof HistoryEvent.SubOrchestrationInstanceFailed);
      if (!failureInLastEpisode && !(e instanceof HistoryEvent.ExecutionCompleted)) {
        kept.add(e);
      }
    }
    Set<Integer> answered = HistoryScan.answered(kept);
    List<HistoryEvent.TaskScheduled> activities = new ArrayList<>();
    List<HistoryEvent.TimerCreated> timers = new ArrayList<>();
    List<String> children = new ArrayList<>();
    for (HistoryEvent e : kept) {
      switch (e) {
        case HistoryEvent.TaskScheduled t when !answered.contains(t.eventId()) -> activities.add(t);
        case HistoryEvent.TimerCreated t when !answered.contains(t.eventId()) -> timers.add(t);
        case HistoryEvent.SubOrchestrationInstanceCreated c when !answered.contains(c.eventId()) ->
            children.add(c.instanceId());
        default -> {}
      }
    }
    return new Plan(kept, activities, timers, children);
  }
}
