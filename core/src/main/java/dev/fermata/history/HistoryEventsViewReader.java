package dev.fermata.history;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Rebuilds a history from the HTTP API's {@code historyEvents} view (Durable Functions' keys, plus
 * the event ids Fermata adds). The view folds each answered TaskScheduled (SubOrchestration
 * InstanceCreated) into its answer; the rebuilt history puts it back just before the answer, where
 * the code has already scheduled it, which replay accepts as it would in its original place. The
 * view leaves out OrchestratorStarted; one is put before each event that wakes the code, at that
 * event's time.
 */
final class HistoryEventsViewReader {
  /** Events the code records while it runs; they do not start an episode. */
  private static final Set<String> RECORDED_BY_CODE =
      Set.of(
          "TaskScheduled",
          "SubOrchestrationInstanceCreated",
          "TimerCreated",
          "EventSent",
          "EntityOperationSent",
          "EntityLockRequested",
          "EntityUnlockSent",
          "PatchApplied",
          "ExecutionCompleted");

  private final List<HistoryEvent> history = new ArrayList<>();
  private Instant episodeTime;
  private int index;
  private String type;

  private HistoryEventsViewReader() {}

  static List<HistoryEvent> read(JsonNode events) {
    if (!events.isArray()) {
      throw new IllegalArgumentException("\"historyEvents\" is not an array");
    }
    HistoryEventsViewReader reader = new HistoryEventsViewReader();
    for (JsonNode e : events) {
      reader.add(e);
      reader.index++;
    }
    return reader.history;
  }

  private void add(JsonNode e) {
    type = e.path("EventType").asText(null);
    if (type == null) {
      throw problem("has no EventType");
    }
    Instant at = time(e, "Timestamp");
    if (!RECORDED_BY_CODE.contains(type) && (episodeTime == null || at.isAfter(episodeTime))) {
      history.add(new HistoryEvent.OrchestratorStarted(at));
      episodeTime = at;
    }
    history.add(
        switch (type) {
          case "ExecutionStarted" -> {
            if (!e.has("Input")) {
              throw problem("has no Input: fetch the status with showInput=true (the default)");
            }
            yield new HistoryEvent.ExecutionStarted(
                at,
                text(e, "FunctionName"),
                null,
                payload(e.get("Input")),
                null,
                e.has("ScheduledStartTime") ? time(e, "ScheduledStartTime") : null,
                e.path("Version").asText(null));
          }
          case "ExecutionCompleted" ->
              new HistoryEvent.ExecutionCompleted(
                  at,
                  OrchestrationStatus.parse(text(e, "OrchestrationStatus")),
                  payload(e.get("Result")),
                  failure(e));
          case "ExecutionTerminated" ->
              new HistoryEvent.ExecutionTerminated(at, e.path("Input").asText(null), false);
          case "ExecutionSuspended" ->
              new HistoryEvent.ExecutionSuspended(at, e.path("Reason").asText(null));
          case "ExecutionResumed" ->
              new HistoryEvent.ExecutionResumed(at, e.path("Reason").asText(null));
          case "ExecutionRewound" ->
              new HistoryEvent.ExecutionRewound(at, e.path("Reason").asText(null));
          case "PatchApplied" -> new HistoryEvent.PatchApplied(at, text(e, "PatchId"));
          case "TaskScheduled" ->
              new HistoryEvent.TaskScheduled(
                  at, id(e, "EventId"), text(e, "Name"), payload(e.get("Input")));
          case "TaskCompleted" -> {
            int scheduled = scheduledTask(e);
            yield new HistoryEvent.TaskCompleted(at, scheduled, result(e));
          }
          case "TaskFailed" -> new HistoryEvent.TaskFailed(at, scheduledTask(e), failure(e));
          case "SubOrchestrationInstanceCreated" ->
              new HistoryEvent.SubOrchestrationInstanceCreated(
                  at,
                  id(e, "EventId"),
                  text(e, "Name"),
                  text(e, "InstanceId"),
                  payload(e.get("Input")));
          case "SubOrchestrationInstanceCompleted" -> {
            int scheduled = scheduledChild(e);
            yield new HistoryEvent.SubOrchestrationInstanceCompleted(at, scheduled, result(e));
          }
          case "SubOrchestrationInstanceFailed" ->
              new HistoryEvent.SubOrchestrationInstanceFailed(at, scheduledChild(e), failure(e));
          case "TimerCreated" ->
              new HistoryEvent.TimerCreated(at, id(e, "EventId"), time(e, "FireAt"));
          case "TimerFired" -> new HistoryEvent.TimerFired(at, id(e, "TimerId"), time(e, "FireAt"));
          case "EventRaised" ->
              new HistoryEvent.EventRaised(at, text(e, "Name"), payload(e.get("Input")));
          case "EventSent" ->
              new HistoryEvent.EventSent(
                  at,
                  id(e, "EventId"),
                  text(e, "InstanceId"),
                  text(e, "Name"),
                  payload(e.get("Input")));
          case "EntityOperationSent" ->
              new HistoryEvent.EntityOperationSent(
                  at,
                  id(e, "EventId"),
                  text(e, "InstanceId"),
                  text(e, "Name"),
                  payload(e.get("Input")),
                  e.path("Signal").asBoolean(false),
                  null);
          case "EntityLockRequested" ->
              new HistoryEvent.EntityLockRequested(at, id(e, "EventId"), entityIds(e));
          case "EntityUnlockSent" ->
              new HistoryEvent.EntityUnlockSent(at, id(e, "EventId"), entityIds(e));
          case "EntityOperationCompleted" ->
              new HistoryEvent.EntityOperationCompleted(at, id(e, "TaskScheduledId"), result(e));
          case "EntityOperationFailed" ->
              new HistoryEvent.EntityOperationFailed(at, id(e, "TaskScheduledId"), failure(e));
          case "EntityLockGranted" ->
              new HistoryEvent.EntityLockGranted(at, id(e, "TaskScheduledId"));
          default -> throw problem("is not an event Fermata records");
        });
  }

  /** Puts back the TaskScheduled the view folded into this answer; returns its id. */
  private int scheduledTask(JsonNode answer) {
    int id = id(answer, "TaskScheduledId");
    if (answer.has("FunctionName")) {
      history.add(
          new HistoryEvent.TaskScheduled(
              time(answer, "ScheduledTime"),
              id,
              text(answer, "FunctionName"),
              payload(answer.get("Input"))));
    }
    return id;
  }

  /** Puts back the SubOrchestrationInstanceCreated the view folded into this answer. */
  private int scheduledChild(JsonNode answer) {
    int id = id(answer, "TaskScheduledId");
    if (answer.has("FunctionName")) {
      history.add(
          new HistoryEvent.SubOrchestrationInstanceCreated(
              time(answer, "ScheduledTime"),
              id,
              text(answer, "FunctionName"),
              text(answer, "InstanceId"),
              payload(answer.get("Input"))));
    }
    return id;
  }

  private String result(JsonNode answer) {
    if (!answer.has("Result")) {
      throw problem("has no Result: fetch the status with showHistoryOutput=true");
    }
    return payload(answer.get("Result"));
  }

  private static String payload(JsonNode value) {
    return value == null || value.isNull() ? null : value.toString();
  }

  private FailureDetails failure(JsonNode e) {
    if (e.hasNonNull("FailureDetails")) {
      return failureDetails(e.get("FailureDetails"));
    }
    if (e.hasNonNull("Reason")) {
      return new FailureDetails(
          null, e.get("Reason").asText(), e.path("Details").asText(null), null, false);
    }
    return null;
  }

  private static FailureDetails failureDetails(JsonNode f) {
    if (f == null || f.isNull()) {
      return null;
    }
    return new FailureDetails(
        f.path("ErrorType").asText(null),
        f.path("ErrorMessage").asText(null),
        f.path("StackTrace").asText(null),
        failureDetails(f.get("InnerFailure")),
        f.path("IsNonRetriable").asBoolean(false));
  }

  private List<String> entityIds(JsonNode e) {
    JsonNode ids = e.get("EntityIds");
    if (ids == null || !ids.isArray()) {
      throw problem("has no EntityIds");
    }
    List<String> out = new ArrayList<>();
    ids.forEach(id -> out.add(id.asText()));
    return out;
  }

  private int id(JsonNode e, String key) {
    JsonNode id = e.get(key);
    if (id == null || !id.canConvertToInt()) {
      throw problem(
          "has no "
              + key
              + ": Fermata's HTTP API adds event ids to the view so that it can be replayed,"
              + " and this history was shown without them (by Durable Functions, or by an older"
              + " Fermata); export it with ./fermata replay --export instead");
    }
    return id.asInt();
  }

  private String text(JsonNode e, String key) {
    JsonNode value = e.get(key);
    if (value == null || value.isNull()) {
      throw problem("has no " + key);
    }
    return value.asText();
  }

  private Instant time(JsonNode e, String key) {
    String value = text(e, key);
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException ex) {
      throw problem("has " + key + " '" + value + "', which is not an ISO-8601 instant");
    }
  }

  private IllegalArgumentException problem(String what) {
    return new IllegalArgumentException(
        "historyEvents[" + index + "]" + (type == null ? "" : " (" + type + ")") + " " + what);
  }
}
