package dev.fermata;

import dev.fermata.entities.CleanEntityStorageResult;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntityQuery;
import dev.fermata.entities.EntityQueryResult;
import dev.fermata.entities.EntitySnapshot;
import dev.fermata.history.HistoryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts, inspects and controls orchestration instances. Control operations (raise, terminate,
 * suspend, resume, rewind) are durable messages: they are accepted at once and take effect when the
 * instance next runs.
 */
public interface FermataClient {

  /** Starts an instance with a generated id. */
  default String scheduleNew(String orchestratorName, Object input) {
    return scheduleNew(orchestratorName, input, StartOptions.DEFAULT);
  }

  /**
   * Starts an instance.
   *
   * @return the instance id
   * @throws UnknownFunctionException if no orchestrator has that name
   * @throws IllegalArgumentException if the instance id is not valid
   * @throws InstanceAlreadyExistsException if an instance with that id is running, pending or
   *     suspended (a finished one is replaced, atomically)
   */
  String scheduleNew(String orchestratorName, Object input, StartOptions options);

  /** The instance's state with its input and output, if it exists. */
  default Optional<InstanceState> getInstance(String instanceId) {
    return getInstance(instanceId, true);
  }

  /** The instance's state; without payloads when {@code includePayloads} is false. */
  Optional<InstanceState> getInstance(String instanceId, boolean includePayloads);

  /** The history of the instance's current execution. */
  List<HistoryEvent> getHistory(String instanceId);

  /**
   * Waits until the instance has started (is no longer Pending).
   *
   * @throws InstanceNotFoundException if there is no such instance
   * @throws WaitTimeoutException if it has not started within {@code timeout}
   */
  InstanceState waitForStart(String instanceId, Duration timeout);

  /**
   * Waits until the instance is Completed, Failed or Terminated.
   *
   * @throws InstanceNotFoundException if there is no such instance
   * @throws WaitTimeoutException if it has not finished within {@code timeout}
   */
  InstanceState waitForCompletion(String instanceId, Duration timeout);

  /**
   * Raises an external event on an instance that is not finished (held while it is pending or
   * suspended).
   *
   * @throws InstanceNotFoundException if there is no such instance
   * @throws InstanceStatusException if it has finished
   */
  void raiseEvent(String instanceId, String eventName, Object data);

  /** Terminates an unfinished instance; its sub-orchestrations keep running. */
  default void terminate(String instanceId, String reason) {
    terminate(instanceId, reason, false);
  }

  /**
   * Terminates an unfinished instance.
   *
   * @param recursive also terminate its running sub-orchestrations, and theirs
   */
  void terminate(String instanceId, String reason, boolean recursive);

  /**
   * Suspends a running or pending instance: incoming work waits until {@link #resume}. Its
   * sub-orchestrations keep running.
   */
  default void suspend(String instanceId, String reason) {
    suspend(instanceId, reason, false);
  }

  /**
   * Suspends a running or pending instance.
   *
   * @param recursive also suspend its running sub-orchestrations, and theirs
   */
  void suspend(String instanceId, String reason, boolean recursive);

  /**
   * Resumes a suspended instance. One suspended before it started is Pending again until its
   * scheduled start time, or starts at once if that has passed. Its sub-orchestrations are left as
   * they are.
   */
  default void resume(String instanceId, String reason) {
    resume(instanceId, reason, false);
  }

  /**
   * Resumes a suspended instance.
   *
   * @param recursive also resume its sub-orchestrations that are still running (suspended), and
   *     theirs
   */
  void resume(String instanceId, String reason, boolean recursive);

  /**
   * Re-runs the failed calls of a Failed instance, which continues from there.
   *
   * @throws InstanceStatusException if it failed inside a critical section: its entity locks were
   *     released then, so it cannot go on from there
   */
  void rewind(String instanceId, String reason);

  /**
   * Starts the instance again from the beginning with its stored name and input. As in Durable
   * Functions, that is the input of its latest execution: after {@code continueAsNew}, the input
   * given to {@code continueAsNew}, not the one it was first started with.
   *
   * @param newInstanceId true for a new generated id; false to reuse the id of the (finished)
   *     instance
   * @return the id of the new instance
   */
  String restart(String instanceId, boolean newInstanceId);

  /**
   * Deletes a finished instance and everything stored for it.
   *
   * @return true if deleted, false if there is no such instance
   * @throws InstanceStatusException if the instance has not finished
   */
  boolean purge(String instanceId);

  /** Deletes the finished instances that match; unfinished ones are kept. Returns how many. */
  int purge(InstanceQuery filter);

  /** One page of instances, ordered by creation time (see {@link InstanceQuery#newestFirst}). */
  QueryResult query(InstanceQuery query);

  /**
   * How many instances match the query's filters, by runtime status; statuses without any are left
   * out. Paging fields are ignored.
   */
  Map<OrchestrationStatus, Long> countInstances(InstanceQuery query);

  // ---- dead letters ----

  /**
   * Up to {@code limit} dead letters (work given up on after {@code maxDeliveryAttempts} failed
   * deliveries), oldest first, with ids above {@code afterId}: pass 0 for the first page, then the
   * last id of the previous page.
   *
   * @param instanceId only this instance's, or null for all
   * @throws IllegalArgumentException if {@code limit} is below 1 or {@code afterId} negative
   */
  List<DeadLetterInfo> listDeadLetters(String instanceId, long afterId, int limit);

  /**
   * Delivers a dead-lettered message again: it goes back into its instance's inbox, as a new
   * message with no failed delivery counted, and leaves the dead letters. Fix what made it fail
   * first; for an orchestration that was failed when its messages were quarantined, {@link #rewind}
   * it first (a finished orchestration ignores the messages it is sent).
   *
   * @return true if re-driven, false if there is no dead letter with that id
   * @throws NotRedrivableException if it is an activity's dead letter: its orchestration already
   *     received its failure
   */
  boolean redriveDeadLetter(long deadLetterId);

  // ---- durable entities ----

  /**
   * Sends a one-way operation to an entity (creating it if it does not exist yet).
   *
   * @throws UnknownFunctionException if no entity has that name
   */
  default void signalEntity(EntityId entity, String operation, Object input) {
    signalEntity(entity, operation, input, null);
  }

  /** Sends a one-way operation to an entity, delivered at {@code at} (null: now). */
  void signalEntity(EntityId entity, String operation, Object input, Instant at);

  /**
   * Reads an entity's state. The read does not wait for operations still queued for the entity, so
   * the state may be stale.
   *
   * @return empty if the entity does not exist (never had state, or was deleted)
   */
  <T> Optional<EntitySnapshot<T>> getEntity(EntityId entity, Class<T> stateType);

  /** One page of entities, ordered by creation time; pages may be short. */
  EntityQueryResult queryEntities(EntityQuery query);

  /**
   * Tidies entity storage: releases locks held by orchestrations that are no longer running, and
   * removes the rows of entities that have neither state nor lock.
   */
  CleanEntityStorageResult cleanEntityStorage(
      boolean removeEmptyEntities, boolean releaseOrphanedLocks);

  /** Options for {@link #scheduleNew(String, Object, StartOptions)}. */
  record StartOptions(String instanceId, Instant startAt, String version) {
    public static final StartOptions DEFAULT = new StartOptions(null, null, null);

    /** Options without a version: the engine's default version applies. */
    public StartOptions(String instanceId, Instant startAt) {
      this(instanceId, startAt, null);
    }

    public static StartOptions withId(String instanceId) {
      return new StartOptions(instanceId, null, null);
    }

    /**
     * These options with orchestration version {@code version} (null: the engine's default), shown
     * in the instance's status and handed down to its sub-orchestrations.
     */
    public StartOptions withVersion(String version) {
      return new StartOptions(instanceId, startAt, version);
    }
  }

  /** A page of query results; pass {@code continuationToken} back for the next page. */
  record QueryResult(List<InstanceState> instances, String continuationToken) {}
}
