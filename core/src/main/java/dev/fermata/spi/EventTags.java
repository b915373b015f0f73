package dev.fermata.spi;

import static java.util.Map.entry;

import dev.fermata.history.HistoryEvent;
import dev.fermata.history.HistoryEvent.EntityLockGranted;
import dev.fermata.history.HistoryEvent.EntityLockRequest;
import dev.fermata.history.HistoryEvent.EntityLockRequested;
import dev.fermata.history.HistoryEvent.EntityOperationCompleted;
import dev.fermata.history.HistoryEvent.EntityOperationFailed;
import dev.fermata.history.HistoryEvent.EntityOperationRequested;
import dev.fermata.history.HistoryEvent.EntityOperationSent;
import dev.fermata.history.HistoryEvent.EntityUnlock;
import dev.fermata.history.HistoryEvent.EntityUnlockSent;
import dev.fermata.history.HistoryEvent.EventRaised;
import dev.fermata.history.HistoryEvent.EventSent;
import dev.fermata.history.HistoryEvent.ExecutionCompleted;
import dev.fermata.history.HistoryEvent.ExecutionResumed;
import dev.fermata.history.HistoryEvent.ExecutionRewound;
import dev.fermata.history.HistoryEvent.ExecutionStarted;
import dev.fermata.history.HistoryEvent.ExecutionSuspended;
import dev.fermata.history.HistoryEvent.ExecutionTerminated;
import dev.fermata.history.HistoryEvent.OrchestratorStarted;
import dev.fermata.history.HistoryEvent.PatchApplied;
import dev.fermata.history.HistoryEvent.SubOrchestrationInstanceCompleted;
import dev.fermata.history.HistoryEvent.SubOrchestrationInstanceCreated;
import dev.fermata.history.HistoryEvent.SubOrchestrationInstanceFailed;
import dev.fermata.history.HistoryEvent.TaskCompleted;
import dev.fermata.history.HistoryEvent.TaskFailed;
import dev.fermata.history.HistoryEvent.TaskScheduled;
import dev.fermata.history.HistoryEvent.TimerCreated;
import dev.fermata.history.HistoryEvent.TimerFired;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code "type"} tag each kind of history event is stored under, in both directions.
 *
 * <p>Every stored event carries its tag, so a tag never changes: renaming a record class keeps its
 * old tag here, and existing databases stay readable. The tags were the records' simple class names
 * when this table was written (golden files in core's tests pin them). A new event kind needs a new
 * entry; without one this class fails to initialise, and with it every store.
 */
final class EventTags {
  private EventTags() {}

  private static final Map<Class<? extends HistoryEvent>, String> TAGS =
      Map.ofEntries(
          entry(OrchestratorStarted.class, "OrchestratorStarted"),
          entry(ExecutionStarted.class, "ExecutionStarted"),
          entry(ExecutionCompleted.class, "ExecutionCompleted"),
          entry(ExecutionTerminated.class, "ExecutionTerminated"),
          entry(ExecutionSuspended.class, "ExecutionSuspended"),
          entry(ExecutionResumed.class, "ExecutionResumed"),
          entry(ExecutionRewound.class, "ExecutionRewound"),
          entry(TaskScheduled.class, "TaskScheduled"),
          entry(TaskCompleted.class, "TaskCompleted"),
          entry(TaskFailed.class, "TaskFailed"),
          entry(SubOrchestrationInstanceCreated.class, "SubOrchestrationInstanceCreated"),
          entry(SubOrchestrationInstanceCompleted.class, "SubOrchestrationInstanceCompleted"),
          entry(SubOrchestrationInstanceFailed.class, "SubOrchestrationInstanceFailed"),
          entry(TimerCreated.class, "TimerCreated"),
          entry(TimerFired.class, "TimerFired"),
          entry(EventRaised.class, "EventRaised"),
          entry(EventSent.class, "EventSent"),
          entry(EntityOperationSent.class, "EntityOperationSent"),
          entry(EntityLockRequested.class, "EntityLockRequested"),
          entry(EntityUnlockSent.class, "EntityUnlockSent"),
          entry(EntityOperationRequested.class, "EntityOperationRequested"),
          entry(EntityLockRequest.class, "EntityLockRequest"),
          entry(EntityUnlock.class, "EntityUnlock"),
          entry(EntityOperationCompleted.class, "EntityOperationCompleted"),
          entry(EntityOperationFailed.class, "EntityOperationFailed"),
          entry(EntityLockGranted.class, "EntityLockGranted"),
          entry(PatchApplied.class, "PatchApplied"));

  private static final Map<String, Class<? extends HistoryEvent>> KINDS = new HashMap<>();

  static {
    requireTags(HistoryEvent.class.getPermittedSubclasses());
    TAGS.forEach(
        (kind, tag) -> {
          if (KINDS.put(tag, kind) != null) {
            throw new IllegalStateException("two history event kinds are stored as '" + tag + "'");
          }
        });
  }

  /**
   * Fails unless every kind has a tag: at class initialisation, so a kind added without one fails
   * every test that stores an event, not a database in the field.
   */
  static void requireTags(Class<?>[] kinds) {
    List<String> missing = new ArrayList<>();
    for (Class<?> kind : kinds) {
      if (!TAGS.containsKey(kind)) {
        missing.add(kind.getName());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "history event kinds without a stored tag in EventTags: " + missing);
    }
  }

  /** The tag {@code event} is stored under. */
  static String of(HistoryEvent event) {
    return TAGS.get(event.getClass());
  }

  /** The kind stored under {@code tag}, or null if no kind is. */
  static Class<? extends HistoryEvent> kind(String tag) {
    return KINDS.get(tag);
  }
}
