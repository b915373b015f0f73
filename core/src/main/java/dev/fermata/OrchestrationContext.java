package dev.fermata;

import dev.fermata.entities.CriticalSection;
import dev.fermata.entities.EntityId;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;

/**
 * What an orchestrator function works with. Orchestrator code is replayed from its history, so it
 * must be deterministic: take time, ids and I/O from this context or from activities, never from
 * the clock, random numbers, the network or mutable static state.
 */
public interface OrchestrationContext {

  /** The name the orchestrator is registered under. */
  String getName();

  String getInstanceId();

  /** Identifies the current execution; it changes with every {@link #continueAsNew}. */
  String getExecutionId();

  /**
   * The orchestration version the instance was started with (given at start, the engine's default
   * version, or the parent's for a sub-orchestration), or null if it has none. Code may branch on
   * it to keep instances started under an older version on their old path.
   */
  String getVersion();

  /** The input, converted from JSON to {@code type}; null if there is none. */
  <T> T getInput(Class<T> type);

  /**
   * The time of the current episode: fixed while the episode runs and the same on replay. Use it
   * instead of the system clock.
   */
  Instant currentTime();

  /** A UUID that is the same on every replay (name-based, version 5). */
  UUID newUuid();

  /** True while the code re-runs steps that are already in the history. */
  boolean isReplaying();

  /**
   * Whether this execution takes the new branch of a code change named {@code patchId}, so that
   * changed code can run beside instances that started under the old code:
   *
   * <pre>{@code
   * if (ctx.isPatched("send-receipt")) {
   *   ctx.callActivity("SendReceipt", order, Void.class).await(); // the new step
   * }
   * }</pre>
   *
   * The first call in an execution decides, and later calls with the same id answer the same: true
   * for an execution that reaches it running new code (a marker is recorded in its history), false
   * for one whose history already went past this point under the old code. Once no instance that
   * started before the change is left, remove the call and keep the new branch: the markers in
   * older histories are then passed over.
   */
  boolean isPatched(String patchId);

  /**
   * A logger that is silent while {@linkplain #isReplaying() replaying}, so each line logs once.
   */
  Logger getLogger();

  /** Calls an activity; its result is converted to {@code resultType}. */
  <T> Task<T> callActivity(String name, Object input, Class<T> resultType);

  /** Calls an activity, retrying failures as {@code retryPolicy} says. */
  <T> Task<T> callActivity(String name, Object input, RetryPolicy retryPolicy, Class<T> resultType);

  /**
   * Starts a sub-orchestration and waits for its result. Its failure reaches this orchestration as
   * a {@link TaskFailedException}.
   *
   * @param instanceId the child's instance id, or null for a deterministic generated one
   */
  <T> Task<T> callSubOrchestrator(
      String name, Object input, String instanceId, Class<T> resultType);

  /** {@link #callSubOrchestrator(String, Object, String, Class)} with retries. */
  <T> Task<T> callSubOrchestrator(
      String name, Object input, String instanceId, RetryPolicy retryPolicy, Class<T> resultType);

  /** A durable timer that fires after {@code delay}, counted from {@link #currentTime()}. */
  Task<Void> createTimer(Duration delay);

  /** A durable timer that fires at {@code fireAt}. */
  Task<Void> createTimer(Instant fireAt);

  /**
   * Waits for an external event raised on this instance. Names compare case-insensitively. Events
   * raised before anybody waits are kept, per name, in arrival order; each event completes exactly
   * one wait, the most recent one still pending.
   */
  <T> Task<T> waitForExternalEvent(String name, Class<T> type);

  /**
   * Waits for an external event for at most {@code timeout}; then the task fails with {@link
   * TaskTimeoutException}.
   */
  <T> Task<T> waitForExternalEvent(String name, Duration timeout, Class<T> type);

  /**
   * Waits for an external event for at most {@code timeout}; then completes with {@code
   * defaultValue}.
   */
  <T> Task<T> waitForExternalEvent(String name, Duration timeout, T defaultValue, Class<T> type);

  /** Raises an event on another instance (fire and forget, recorded in the history). */
  void sendEvent(String instanceId, String eventName, Object data);

  /**
   * Calls an operation of a durable entity and waits for its result, converted to {@code
   * resultType}. If the operation throws, the task fails with a {@link TaskFailedException} whose
   * details name the exception. Calls from one orchestration reach an entity in the order made.
   *
   * @throws dev.fermata.entities.LockingRulesViolationException inside a critical section, if the
   *     entity is not locked by it or already has a call in flight
   */
  <T> Task<T> callEntity(EntityId entity, String operation, Object input, Class<T> resultType);

  /** Sends a one-way operation to a durable entity (in order with this orchestration's calls). */
  void signalEntity(EntityId entity, String operation, Object input);

  /** Sends a one-way operation to a durable entity, delivered at {@code at}. */
  void signalEntity(EntityId entity, String operation, Object input, Instant at);

  /**
   * Locks the entities and returns once all are locked; close the section to release them. Locks
   * are taken one entity at a time in {@link EntityId}'s order, the same for every orchestration,
   * so two critical sections can never deadlock. They are released when the section closes and, at
   * the latest, when this orchestration completes, fails, is terminated or continues as new.
   *
   * <p>Inside a section the orchestration may call only the locked entities (one call at a time per
   * entity), may not signal them, start sub-orchestrations or open another section.
   *
   * @throws dev.fermata.entities.LockingRulesViolationException if a section is already open
   * @throws IllegalArgumentException if no entity is given
   */
  CriticalSection lockEntities(EntityId... entities);

  /** True while a critical section of this orchestration is open. */
  boolean isInCriticalSection();

  /**
   * Sets a status value that clients can read while the instance runs; saved with the episode's
   * checkpoint. At most 16 KB of JSON; null clears it.
   */
  void setCustomStatus(Object status);

  /**
   * Restarts this instance with a new input once the function returns: same instance id, new
   * execution, fresh history. Work still pending is dropped.
   *
   * @param preserveUnprocessedEvents keep external events that arrived but were not yet consumed
   */
  void continueAsNew(Object input, boolean preserveUnprocessedEvents);

  /** {@link #continueAsNew(Object, boolean)} keeping unprocessed events (the Java default). */
  default void continueAsNew(Object input) {
    continueAsNew(input, true);
  }
}
