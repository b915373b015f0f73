package dev.fermata.spi;

import static java.util.Map.entry;

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
import dev.fermata.history.ParentInstance;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One representative instance of every history event kind, keyed by the tag its golden file is
 * named after ({@code stored-format/events/<tag>.json}). Every field is set, so that the golden
 * files pin every field's name and form.
 *
 * <p>The tags here are literals on purpose: they are what stored rows carry, so a renamed record
 * class must still be stored under its old tag, and this map keeps checking that.
 */
final class StoredFormatSamples {
  private StoredFormatSamples() {}

  // Three precisions, because the engine's clock may give any of them and the form differs.
  static final Instant MILLIS = Instant.parse("2025-03-01T10:15:30.123Z");
  static final Instant SECONDS = Instant.parse("2025-03-01T10:16:00Z");
  static final Instant NANOS = Instant.parse("2025-03-01T10:17:45.123456789Z");

  /** A failure with a cause, as {@link FailureDetails#fromException} produces them. */
  static final FailureDetails FAILURE =
      new FailureDetails(
          "dev.fermata.TaskFailedException",
          "Activity 'Charge' failed: card declined",
          "dev.fermata.TaskFailedException: Activity 'Charge' failed\n\tat Charge.run(Charge.java:12)\n",
          new FailureDetails(
              "java.lang.IllegalStateException", "card declined \"4242\"", null, null, true),
          false);

  /** JSON payloads as the engine stores them: text, with quotes, escapes and non-ASCII. */
  private static final String INPUT = "{\"sku\":\"A-1\",\"qty\":2,\"note\":\"caf\u00e9\\n\"}";

  private static final String RESULT = "\"charged 42.50\"";

  static final Map<String, HistoryEvent> EVENTS =
      Map.ofEntries(
          entry("OrchestratorStarted", new OrchestratorStarted(NANOS)),
          entry(
              "ExecutionStarted",
              new ExecutionStarted(
                  MILLIS,
                  "ProcessOrder",
                  "0f8fad5b-d9cb-469f-a165-70867728950e",
                  INPUT,
                  new ParentInstance("parent-1", "7c9e6679-7425-40de-944b-e07fc1f90ae7", 3),
                  SECONDS)),
          entry(
              "ExecutionCompleted",
              new ExecutionCompleted(MILLIS, OrchestrationStatus.FAILED, RESULT, FAILURE)),
          entry("ExecutionTerminated", new ExecutionTerminated(MILLIS, "operator: stuck", true)),
          entry("ExecutionSuspended", new ExecutionSuspended(MILLIS, "maintenance")),
          entry("ExecutionResumed", new ExecutionResumed(SECONDS, "maintenance over")),
          entry("ExecutionRewound", new ExecutionRewound(MILLIS, "bug fixed")),
          entry("TaskScheduled", new TaskScheduled(MILLIS, 4, "Charge", INPUT)),
          entry("TaskCompleted", new TaskCompleted(MILLIS, 4, RESULT)),
          entry("TaskFailed", new TaskFailed(MILLIS, 4, FAILURE)),
          entry(
              "SubOrchestrationInstanceCreated",
              new SubOrchestrationInstanceCreated(MILLIS, 5, "Ship", "order-7:5", INPUT)),
          entry(
              "SubOrchestrationInstanceCompleted",
              new SubOrchestrationInstanceCompleted(MILLIS, 5, RESULT)),
          entry(
              "SubOrchestrationInstanceFailed",
              new SubOrchestrationInstanceFailed(MILLIS, 5, FAILURE)),
          entry("TimerCreated", new TimerCreated(MILLIS, 6, NANOS)),
          entry("TimerFired", new TimerFired(NANOS, 6, NANOS)),
          entry("EventRaised", new EventRaised(MILLIS, "approve", INPUT)),
          entry("EventSent", new EventSent(MILLIS, 7, "other-1", "ping", INPUT)),
          entry(
              "EntityOperationSent",
              new EntityOperationSent(MILLIS, 8, "@counter@c1", "add", "5", true, SECONDS)),
          entry(
              "EntityLockRequested",
              new EntityLockRequested(MILLIS, 9, List.of("@account@a", "@account@b"))),
          entry(
              "EntityUnlockSent",
              new EntityUnlockSent(MILLIS, 10, List.of("@account@a", "@account@b"))),
          entry(
              "EntityOperationRequested",
              new EntityOperationRequested(
                  MILLIS, "add", "5", "order-7", "0f8fad5b-d9cb-469f-a165-70867728950e", 8)),
          entry(
              "EntityLockRequest",
              new EntityLockRequest(
                  MILLIS,
                  List.of("@account@a", "@account@b"),
                  1,
                  "order-7",
                  "0f8fad5b-d9cb-469f-a165-70867728950e",
                  9)),
          entry("EntityUnlock", new EntityUnlock(MILLIS, "order-7")),
          entry("EntityOperationCompleted", new EntityOperationCompleted(MILLIS, 8, "12")),
          entry("EntityOperationFailed", new EntityOperationFailed(MILLIS, 8, FAILURE)),
          entry("EntityLockGranted", new EntityLockGranted(MILLIS, 9)),
          entry("PatchApplied", new PatchApplied(MILLIS, "send-receipt")));
}
