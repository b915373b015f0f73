package dev.fermata.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import java.time.Instant;
import java.util.List;

/**
 * One entry of an orchestration's event history, the durable record that replay rebuilds an
 * instance from. Payloads ({@code input}, {@code result}) are JSON text, or null.
 *
 * <p>Events that schedule work carry an {@code eventId}: the sequence number the orchestrator gave
 * the action. Events that complete work carry the {@code taskScheduledId} they answer. Replay
 * checks every scheduling event against the action the code issues with the same number.
 */
public sealed interface HistoryEvent {

  /** When the event was recorded. */
  Instant timestamp();

  /** Marks the start of an episode; its timestamp is what {@code ctx.currentTime()} returns. */
  record OrchestratorStarted(Instant timestamp) implements HistoryEvent {}

  /**
   * The first event of every execution.
   *
   * @param version the orchestration version the instance was started with, or null (stored only
   *     when set)
   */
  record ExecutionStarted(
      Instant timestamp,
      String name,
      String executionId,
      String input,
      ParentInstance parent,
      Instant scheduledStartTime,
      @JsonInclude(JsonInclude.Include.NON_NULL) String version)
      implements HistoryEvent {
    /** An execution without a version. */
    public ExecutionStarted(
        Instant timestamp,
        String name,
        String executionId,
        String input,
        ParentInstance parent,
        Instant scheduledStartTime) {
      this(timestamp, name, executionId, input, parent, scheduledStartTime, null);
    }
  }

  /** The execution ended: Completed (with a result), Failed (with a failure), or ContinuedAsNew. */
  record ExecutionCompleted(
      Instant timestamp, OrchestrationStatus status, String result, FailureDetails failure)
      implements HistoryEvent {}

  /**
   * A terminate request; as an inbox message, {@code recurse} also terminates sub-orchestrations.
   */
  record ExecutionTerminated(Instant timestamp, String reason, boolean recurse)
      implements HistoryEvent {}

  /**
   * A suspend request; {@code recurse} also suspends sub-orchestrations (stored only when true, so
   * that rows written before it existed read the same).
   */
  record ExecutionSuspended(
      Instant timestamp,
      String reason,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean recurse)
      implements HistoryEvent {
    public ExecutionSuspended(Instant timestamp, String reason) {
      this(timestamp, reason, false);
    }
  }

  /** A resume request; {@code recurse} also resumes sub-orchestrations (stored only when true). */
  record ExecutionResumed(
      Instant timestamp,
      String reason,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean recurse)
      implements HistoryEvent {
    public ExecutionResumed(Instant timestamp, String reason) {
      this(timestamp, reason, false);
    }
  }

  /** A failed instance was rewound: its failed calls run again. */
  record ExecutionRewound(Instant timestamp, String reason) implements HistoryEvent {}

  /**
   * The code took the new branch of patch {@code patchId}: {@code isPatched} first returned true in
   * this execution here. It has no sequence number, so executions recorded before the patch replay
   * unchanged, and code that no longer asks about the patch replays past it.
   */
  record PatchApplied(Instant timestamp, String patchId) implements HistoryEvent {}

  record TaskScheduled(Instant timestamp, int eventId, String name, String input)
      implements HistoryEvent {}

  record TaskCompleted(Instant timestamp, int taskScheduledId, String result)
      implements HistoryEvent {}

  record TaskFailed(Instant timestamp, int taskScheduledId, FailureDetails failure)
      implements HistoryEvent {}

  record SubOrchestrationInstanceCreated(
      Instant timestamp, int eventId, String name, String instanceId, String input)
      implements HistoryEvent {}

  record SubOrchestrationInstanceCompleted(Instant timestamp, int taskScheduledId, String result)
      implements HistoryEvent {}

  record SubOrchestrationInstanceFailed(
      Instant timestamp, int taskScheduledId, FailureDetails failure) implements HistoryEvent {}

  record TimerCreated(Instant timestamp, int eventId, Instant fireAt) implements HistoryEvent {}

  /**
   * A durable timer came due. {@code createdAt} is when the timer was created (stored only when
   * known: timers created before it was kept, and those an SDK reports, have none); it lets the
   * timer's span be recorded once it fires.
   */
  record TimerFired(
      Instant timestamp,
      int timerId,
      Instant fireAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant createdAt)
      implements HistoryEvent {
    /** A timer whose creation time is not known. */
    public TimerFired(Instant timestamp, int timerId, Instant fireAt) {
      this(timestamp, timerId, fireAt, null);
    }
  }

  /** An external event delivered to this instance. */
  record EventRaised(Instant timestamp, String name, String input) implements HistoryEvent {}

  /** An event this orchestration sent to another instance. */
  record EventSent(Instant timestamp, int eventId, String instanceId, String name, String input)
      implements HistoryEvent {}

  // ---- entities ----

  /**
   * An orchestration called ({@code signal} false) or signalled an entity; {@code scheduledTime} is
   * when a signal was due, or null. {@code requestId} is the id a Durable Task SDK gave the call,
   * which its answer must carry back; null for the engine's own orchestrations (and then not
   * stored).
   */
  record EntityOperationSent(
      Instant timestamp,
      int eventId,
      String entityId,
      String operation,
      String input,
      boolean signal,
      Instant scheduledTime,
      @JsonInclude(JsonInclude.Include.NON_NULL) String requestId)
      implements HistoryEvent {
    public EntityOperationSent(
        Instant timestamp,
        int eventId,
        String entityId,
        String operation,
        String input,
        boolean signal,
        Instant scheduledTime) {
      this(timestamp, eventId, entityId, operation, input, signal, scheduledTime, null);
    }
  }

  /**
   * An orchestration asked to lock {@code entityIds} (sorted) for a critical section. {@code
   * requestId} is the critical section's id when a Durable Task SDK opened it, else null (and then
   * not stored).
   */
  record EntityLockRequested(
      Instant timestamp,
      int eventId,
      List<String> entityIds,
      @JsonInclude(JsonInclude.Include.NON_NULL) String requestId)
      implements HistoryEvent {
    public EntityLockRequested(Instant timestamp, int eventId, List<String> entityIds) {
      this(timestamp, eventId, entityIds, null);
    }
  }

  /** An orchestration released the locks of its critical section. */
  record EntityUnlockSent(Instant timestamp, int eventId, List<String> entityIds)
      implements HistoryEvent {}

  /**
   * Inbox message for an entity: run {@code operation}. {@code senderId} is the orchestration or
   * entity that sent it (null from a client); {@code responseId} is the caller's sequence number to
   * answer, or -1 for a signal.
   */
  record EntityOperationRequested(
      Instant timestamp,
      String operation,
      String input,
      String senderId,
      String senderExecutionId,
      int responseId)
      implements HistoryEvent {}

  /**
   * Inbox message for the entity {@code lockSet.get(position)}: lock yourself for {@code senderId},
   * then pass the request on to the next entity, or grant the lock if you are the last.
   */
  record EntityLockRequest(
      Instant timestamp,
      List<String> lockSet,
      int position,
      String senderId,
      String senderExecutionId,
      int responseId)
      implements HistoryEvent {}

  /** Inbox message for an entity: {@code senderId} releases its lock. */
  record EntityUnlock(Instant timestamp, String senderId) implements HistoryEvent {}

  /** An entity answered a call with its result. */
  record EntityOperationCompleted(Instant timestamp, int taskScheduledId, String result)
      implements HistoryEvent {}

  /** An entity operation called by this orchestration threw. */
  record EntityOperationFailed(Instant timestamp, int taskScheduledId, FailureDetails failure)
      implements HistoryEvent {}

  /** Every entity of a lock request is now locked for this orchestration. */
  record EntityLockGranted(Instant timestamp, int taskScheduledId) implements HistoryEvent {}

  /**
   * The kind of event, as Durable Functions names it ({@code TaskScheduled}, ...): the record's
   * simple name. Stores do not use it: they keep their own fixed tags (see {@code HistoryCodec}),
   * so that renaming a record cannot make stored events unreadable.
   */
  default String eventType() {
    return getClass().getSimpleName();
  }
}
