package dev.fermata.internal.worker;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InstanceRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a Failed execution is rewound: the failures delivered in its last episode (the ones the code
 * did not survive) and its completion are taken out of the history, and the calls whose failure was
 * taken out run again. Replaying the result brings the code back to the awaits where it failed.
 *
 * <p>A call still outstanding when the instance failed is not issued again: its task (or child) is
 * still in the store, and its answer, when it comes, is kept in the Failed instance's history (see
 * {@link #isLateAnswer}) or delivered to the rewound one. Running it again would run it twice.
 *
 * <p>A call without an answer whose answer will never come is not waited for, though: a database
 * written by an earlier release may hold Failed instances whose late answers were dropped, and an
 * answer can be lost another way (dead-lettered, or consumed by an episode that failed on
 * non-determinism). An activity the store holds neither a task nor an answer for runs again; a
 * child that has completed delivers its output as part of the rewind, and one that failed is
 * rewound, like a child whose failure was taken out.
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
   * @param instance its instance row
   * @param store read for the calls left without an answer in {@code history}
   */
  static Plan plan(
      List<HistoryEvent> history, InstanceRecord instance, DurableStore store, Instant now) {
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
    List<HistoryEvent.TaskScheduled> unansweredActivities = new ArrayList<>();
    List<HistoryEvent.SubOrchestrationInstanceCreated> unansweredChildren = new ArrayList<>();
    for (HistoryEvent e : kept) {
      switch (e) {
        case HistoryEvent.TaskScheduled t when !answered.contains(t.eventId()) -> {
          if (failedCalls.contains(t.eventId())) {
            activities.add(t);
          } else {
            unansweredActivities.add(t);
          }
        }
        case HistoryEvent.TimerCreated t when !answered.contains(t.eventId()) -> timers.add(t);
        case HistoryEvent.SubOrchestrationInstanceCreated c
            when !answered.contains(c.eventId()) -> {
          if (failedCalls.contains(c.eventId())) {
            children.add(c.instanceId());
          } else {
            unansweredChildren.add(c);
          }
        }
        default -> {}
      }
    }
    if (unansweredActivities.isEmpty() && unansweredChildren.isEmpty()) {
      return new Plan(kept, activities, timers, children);
    }
    // Children are read before the store's open calls: a child that finishes in between has its
    // answer in the inbox by then, and is waited for rather than answered twice.
    Map<Integer, InstanceRecord> finishedChildren = new HashMap<>();
    for (HistoryEvent.SubOrchestrationInstanceCreated c : unansweredChildren) {
      store
          .getInstance(c.instanceId())
          .filter(child -> isChildOf(child, instance, c.eventId()))
          .filter(
              child ->
                  child.status() == OrchestrationStatus.COMPLETED
                      || child.status() == OrchestrationStatus.FAILED)
          .ifPresent(child -> finishedChildren.put(c.eventId(), child));
    }
    Set<Integer> open = store.openTaskIds(instance.instanceId(), instance.executionId());
    for (HistoryEvent.TaskScheduled t : unansweredActivities) {
      if (!open.contains(t.eventId())) {
        activities.add(t); // its answer was lost: without a new run it never comes
      }
    }
    for (HistoryEvent.SubOrchestrationInstanceCreated c : unansweredChildren) {
      InstanceRecord child = finishedChildren.get(c.eventId());
      if (child == null || open.contains(c.eventId())) {
        continue; // still running, or its answer is on the way
      }
      if (child.status() == OrchestrationStatus.COMPLETED) {
        kept.add(
            new HistoryEvent.SubOrchestrationInstanceCompleted(now, c.eventId(), child.output()));
      } else {
        children.add(c.instanceId());
      }
    }
    return new Plan(kept, activities, timers, children);
  }

  /** True if {@code child} is the instance that call {@code taskId} of {@code parent} started. */
  private static boolean isChildOf(InstanceRecord child, InstanceRecord parent, int taskId) {
    ParentInstance p = child.parent();
    return p != null
        && p.instanceId().equals(parent.instanceId())
        && Objects.equals(p.executionId(), parent.executionId())
        && p.taskScheduledId() == taskId;
  }
}
