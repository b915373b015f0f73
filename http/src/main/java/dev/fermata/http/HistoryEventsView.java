package dev.fermata.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An instance's history in the shape Durable Functions' HTTP API shows it: PascalCase keys, an
 * {@code EventType} and a {@code Timestamp} on each event; OrchestratorStarted left out; each
 * TaskScheduled (SubOrchestrationInstanceCreated) folded into the event that answers it as {@code
 * FunctionName} and {@code ScheduledTime}; results ({@code Result}) only when asked for.
 *
 * <p>Beyond Durable Functions' keys, each event that schedules something carries its {@code
 * EventId}, and each answer the {@code TaskScheduledId} (a fired timer, the {@code TimerId}) of
 * what it answers, and {@code ExecutionStarted} its {@code Version}: enough for {@code
 * RecordedHistory} to rebuild the history and replay it against changed code.
 */
final class HistoryEventsView {
  private final boolean showInput;
  private final boolean showOutput;
  private final Map<Integer, TaskScheduled> tasks = new HashMap<>();
  private final Map<Integer, SubOrchestrationInstanceCreated> children = new HashMap<>();
  private final Set<Integer> answered = new HashSet<>();

  private HistoryEventsView(boolean showInput, boolean showOutput) {
    this.showInput = showInput;
    this.showOutput = showOutput;
  }

  static ArrayNode of(List<HistoryEvent> history, boolean showInput, boolean showOutput) {
    return new HistoryEventsView(showInput, showOutput).render(history);
  }

  private ArrayNode render(List<HistoryEvent> history) {
    for (HistoryEvent e : history) {
      switch (e) {
        case TaskScheduled t -> tasks.put(t.eventId(), t);
        case SubOrchestrationInstanceCreated c -> children.put(c.eventId(), c);
        case TaskCompleted t -> answered.add(t.taskScheduledId());
        case TaskFailed t -> answered.add(t.taskScheduledId());
        case SubOrchestrationInstanceCompleted c -> answered.add(c.taskScheduledId());
        case SubOrchestrationInstanceFailed c -> answered.add(c.taskScheduledId());
        default -> {}
      }
    }
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (HistoryEvent e : history) {
      ObjectNode o = render(e);
      if (o != null) {
        out.add(o);
      }
    }
    return out;
  }

  private ObjectNode render(HistoryEvent event) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("EventType", event.eventType());
    o.put("Timestamp", Json.historyTime(event.timestamp()));
    switch (event) {
      case OrchestratorStarted s -> {
        return null;
      }
      case ExecutionStarted s -> {
        o.put("FunctionName", s.name());
        if (s.version() != null) {
          o.put("Version", s.version());
        }
        if (s.scheduledStartTime() != null) {
          o.put("ScheduledStartTime", Json.historyTime(s.scheduledStartTime()));
        }
        input(o, "Input", s.input());
      }
      case ExecutionCompleted c -> {
        o.put("OrchestrationStatus", c.status().displayName());
        result(o, c.result());
        if (c.status() == OrchestrationStatus.FAILED) {
          failure(o, c.failure());
        }
      }
      case ExecutionTerminated t -> o.put("Input", t.reason());
      case ExecutionSuspended s -> o.put("Reason", s.reason());
      case ExecutionResumed r -> o.put("Reason", r.reason());
      case ExecutionRewound r -> o.put("Reason", r.reason());
      case TaskScheduled t -> {
        if (answered.contains(t.eventId())) {
          return null;
        }
        o.put("EventId", t.eventId());
        o.put("Name", t.name());
        input(o, "Input", t.input());
      }
      case TaskCompleted t -> {
        scheduledTask(o, t.taskScheduledId());
        result(o, t.result());
      }
      case TaskFailed t -> {
        scheduledTask(o, t.taskScheduledId());
        failure(o, t.failure());
      }
      case SubOrchestrationInstanceCreated c -> {
        if (answered.contains(c.eventId())) {
          return null;
        }
        o.put("EventId", c.eventId());
        o.put("Name", c.name());
        o.put("InstanceId", c.instanceId());
        input(o, "Input", c.input());
      }
      case SubOrchestrationInstanceCompleted c -> {
        scheduledChild(o, c.taskScheduledId());
        result(o, c.result());
      }
      case SubOrchestrationInstanceFailed c -> {
        scheduledChild(o, c.taskScheduledId());
        failure(o, c.failure());
      }
      case TimerCreated t -> {
        o.put("EventId", t.eventId());
        o.put("FireAt", Json.historyTime(t.fireAt()));
      }
      case TimerFired t -> {
        o.put("TimerId", t.timerId());
        o.put("FireAt", Json.historyTime(t.fireAt()));
      }
      case EventRaised r -> {
        o.put("Name", r.name());
        input(o, "Input", r.input());
      }
      case EventSent s -> {
        o.put("EventId", s.eventId());
        o.put("InstanceId", s.instanceId());
        o.put("Name", s.name());
        input(o, "Input", s.input());
      }
      case EntityOperationSent s -> {
        o.put("EventId", s.eventId());
        o.put("InstanceId", s.entityId());
        o.put("Name", s.operation());
        o.put("Signal", s.signal());
        input(o, "Input", s.input());
      }
      case EntityLockRequested l -> {
        o.put("EventId", l.eventId());
        o.set("EntityIds", Json.MAPPER.valueToTree(l.entityIds()));
      }
      case EntityUnlockSent u -> {
        o.put("EventId", u.eventId());
        o.set("EntityIds", Json.MAPPER.valueToTree(u.entityIds()));
      }
      case EntityOperationCompleted c -> {
        o.put("TaskScheduledId", c.taskScheduledId());
        result(o, c.result());
      }
      case EntityOperationFailed f -> {
        o.put("TaskScheduledId", f.taskScheduledId());
        failure(o, f.failure());
      }
      case EntityLockGranted g -> o.put("TaskScheduledId", g.taskScheduledId());
      case PatchApplied p -> o.put("PatchId", p.patchId());
      // Entity inbox messages never reach an orchestration's history.
      case EntityOperationRequested r -> {
        return null;
      }
      case EntityLockRequest r -> {
        return null;
      }
      case EntityUnlock u -> {
        return null;
      }
    }
    return o;
  }

  private void scheduledTask(ObjectNode o, int scheduledId) {
    o.put("TaskScheduledId", scheduledId);
    TaskScheduled t = tasks.get(scheduledId);
    if (t != null) {
      o.put("FunctionName", t.name());
      o.put("ScheduledTime", Json.historyTime(t.timestamp()));
      input(o, "Input", t.input());
    }
  }

  private void scheduledChild(ObjectNode o, int scheduledId) {
    o.put("TaskScheduledId", scheduledId);
    SubOrchestrationInstanceCreated c = children.get(scheduledId);
    if (c != null) {
      o.put("FunctionName", c.name());
      o.put("InstanceId", c.instanceId());
      o.put("ScheduledTime", Json.historyTime(c.timestamp()));
      input(o, "Input", c.input());
    }
  }

  private void input(ObjectNode o, String key, String payload) {
    if (showInput) {
      o.set(key, Json.payload(payload));
    }
  }

  private void result(ObjectNode o, String payload) {
    if (showOutput) {
      o.set("Result", Json.payload(payload));
    }
  }

  private static void failure(ObjectNode o, FailureDetails f) {
    if (f != null) {
      o.put("Reason", f.errorMessage());
      o.put("Details", f.stackTrace());
      o.set("FailureDetails", Json.failure(f, true));
    }
  }
}
