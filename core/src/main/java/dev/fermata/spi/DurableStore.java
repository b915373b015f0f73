package dev.fermata.spi;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where Fermata keeps instances, histories, inboxes and activity tasks, and how workers find work.
 *
 * <p>A store owns dispatch: {@link #nextOrchestration} and {@link #nextActivity} block until work
 * is visible (no polling interval: a single-process store wakes in-process, a shared one may listen
 * for notifications), so the engine never needs to know how work is found. Every method is
 * thread-safe.
 *
 * <p>Durable entities are instance rows too; the few rules stores follow for them are in {@link
 * EntityRows}.
 *
 * <p><b>Errors.</b> Methods that return a future never throw: every failure is in the future. A
 * refused checkpoint or result fails with {@link LockLostException} (another worker owns the
 * instance or task now) or {@link HistoryMovedOnException} (the stored history is ahead of the
 * checkpoint); any call after {@link #close} fails with {@link StoreClosedException}. A call that
 * fails because the storage itself failed (disk full, I/O error, corrupt page, database out of
 * reach) fails with {@link StoreUnavailableException}: nothing of it was applied, and the store
 * serves later calls again once the cause is gone, without a restart.
 *
 * <p>Implementations must pass the store contract suite ({@code StoreContractTest} in core's test
 * jar). The write rules every store follows are written once, in {@link StoreRules}; a store
 * implements {@link StoreTransaction} over its own storage and runs them.
 */
public interface DurableStore extends AutoCloseable {

  /**
   * Opens the store: creates or migrates the schema, recovers work left locked by a crash, and
   * starts dispatch. All time is read from {@code clock}.
   */
  void start(InstantSource clock);

  /** Stops dispatch, waits for pending writes to be durable, and releases resources. */
  @Override
  void close();

  // ---- client side ----

  /**
   * Creates an instance (see {@link NewInstance} for what happens when the id is taken).
   *
   * @return true if created, false if refused because a running-like instance has that id
   */
  boolean createInstance(NewInstance request);

  /**
   * Enqueues a message for an existing instance, if its status is one of {@code acceptedStatuses}
   * (checked and enqueued atomically). A message for an entity id whose row does not exist creates
   * that row first (see {@link EntityRows}).
   *
   * @return the instance's status when the call was made, empty if there is no such instance; the
   *     message was enqueued iff the status is present and accepted
   */
  Optional<OrchestrationStatus> sendMessage(
      NewMessage message, Set<OrchestrationStatus> acceptedStatuses);

  Optional<InstanceRecord> getInstance(String instanceId);

  /** The history of the instance's current execution, in order; empty if there is none. */
  List<HistoryEvent> getHistory(String instanceId);

  /**
   * The calls of an execution that the store still holds something for, by their history task id
   * ({@link ActivityTask#taskId}): activity tasks queued or running (or whose result the store
   * holds for a checkpoint to record), and answers to activity and sub-orchestration calls waiting
   * in the instance's inbox. A rewind reads it to tell a call still to be answered from one whose
   * answer was lost (an activity it then issues again). Tasks are read before the inbox, so a task
   * that finishes during the read is still found; the caller holds the instance's lock.
   */
  Set<Integer> openTaskIds(String instanceId, String executionId);

  /**
   * One page of instances matching {@code filter}, oldest first: ordered by creation time then
   * instance id.
   *
   * @param continuationToken null for the first page, then the token of the previous page
   * @throws IllegalArgumentException if the token is not one this store issued
   */
  default InstancePage queryInstances(
      InstanceFilter filter, int pageSize, String continuationToken) {
    return queryInstances(filter, false, pageSize, continuationToken);
  }

  /**
   * One page of instances matching {@code filter}, ordered by creation time then instance id,
   * newest first if {@code newestFirst} (what a dashboard shows first), else oldest first.
   *
   * @param continuationToken null for the first page, then the token of the previous page of the
   *     same order
   * @throws IllegalArgumentException if the token is not one this store issued
   */
  InstancePage queryInstances(
      InstanceFilter filter, boolean newestFirst, int pageSize, String continuationToken);

  /**
   * How many instances matching {@code filter} are in each status; statuses without any are left
   * out. The default pages through {@link #queryInstances}; stores with an index count there.
   */
  default Map<OrchestrationStatus, Long> countInstances(InstanceFilter filter) {
    Map<OrchestrationStatus, Long> counts = new EnumMap<>(OrchestrationStatus.class);
    String token = null;
    do {
      InstancePage page = queryInstances(filter, 1000, token);
      page.instances().forEach(r -> counts.merge(r.status(), 1L, Long::sum));
      token = page.continuationToken();
    } while (token != null);
    return counts;
  }

  /**
   * The engines alive on this store that run orchestrations, for a store several engines share (a
   * database several hosts use), each with the work it holds now. Empty for a store that one engine
   * owns alone.
   */
  default List<WorkerStatus> workers() {
    return List.of();
  }

  /**
   * Deletes a terminal instance with everything that belongs to it.
   *
   * @return true if deleted; false if absent, not terminal, or an entity row with inbox messages
   *     (see {@link EntityRows})
   */
  boolean purgeInstance(String instanceId);

  /**
   * Deletes every terminal instance matching {@code filter} (running-like ones are kept, whatever
   * the filter says), in bounded batches.
   *
   * @return how many were deleted
   */
  default int purgeInstances(InstanceFilter filter) {
    return purgeInstances(filter, Integer.MAX_VALUE);
  }

  /**
   * Deletes at most {@code limit} terminal instances matching {@code filter}, following the rules
   * of {@link #purgeInstance}, in bounded batches. Instances another process is purging at the same
   * time are skipped or counted once, never an error.
   *
   * @return how many were deleted
   * @throws IllegalArgumentException if {@code limit} is less than 1
   */
  int purgeInstances(InstanceFilter filter, int limit);

  /**
   * Registers a callback run after a commit that changed an instance's row, with the instance id
   * and, when the store knows it, the new status (so that a waiter for another status need not read
   * the row). Used to wake clients waiting for a status; must be cheap and must not block.
   */
  void addInstanceChangeListener(InstanceChangeListener listener);

  // ---- dead letters ----

  /**
   * Up to {@code limit} dead letters with ids above {@code afterId}, in id order (the order they
   * were dead-lettered); of one instance, or of all if {@code instanceId} is null. The next page
   * starts after the last id of this one.
   *
   * @throws IllegalArgumentException if {@code limit} is below 1
   */
  List<DeadLetter> deadLetters(String instanceId, long afterId, int limit);

  /**
   * Re-drives a dead-lettered message ({@link StoreRules#redrive}): back into its instance's inbox
   * with its delivery count reset. An activity's dead letter is not re-driven.
   *
   * @return the dead letter as it was (re-driven iff it is a message's), or empty if there is none
   *     with that id
   */
  Optional<DeadLetter> redriveDeadLetter(long deadLetterId);

  // ---- orchestration workers ----

  /**
   * Locks the next instance that has visible inbox messages, waiting up to {@code maxWait}.
   *
   * @return the work item, or empty if none became visible in time (or the store is closing)
   * @throws CorruptRecordException if the instance's rows cannot be read; the instance is unlocked
   *     again and other instances' work is unaffected
   */
  Optional<OrchestrationWorkItem> nextOrchestration(Duration maxWait) throws InterruptedException;

  /**
   * Applies an episode's checkpoint atomically, then unlocks the instance. The future completes
   * once the checkpoint is durable. Nothing is applied, and it fails with {@link LockLostException}
   * if the lock was lost, or with {@link HistoryMovedOnException} if the checkpoint's new events do
   * not start where the stored history ends ({@link Checkpoint#firstEventIndex()}); in the second
   * case the store unlocks the instance and dispatches it again, so that a replay of the stored
   * history decides what comes next.
   */
  CompletableFuture<Void> checkpoint(Checkpoint checkpoint);

  /**
   * Unlocks an instance without a checkpoint because processing failed: its messages' delivery
   * counts go up by one and the instance becomes available again after {@code retryDelay}. Does
   * nothing if {@code item}'s lock is no longer current.
   */
  void abandonOrchestration(OrchestrationWorkItem item, Duration retryDelay);

  /**
   * Unlocks an instance whose episode failed because the store did ({@link
   * StoreUnavailableException}), not its code, or that was not run at all ({@link
   * NoRemoteWorkerException}): as {@link #abandonOrchestration}, but the delivery does not count
   * toward the instance's attempts, so that an outage cannot quarantine healthy instances. Does
   * nothing if {@code item}'s lock is no longer current.
   */
  void abandonOrchestrationAfterStoreFailure(OrchestrationWorkItem item, Duration retryDelay);

  /**
   * Unlocks an instance whose episode was not run (no remote worker took it, see {@link
   * NoRemoteWorkerException}), at once and without counting the delivery: the uncounted release of
   * {@link #abandonOrchestrationAfterStoreFailure}, with no delay.
   */
  default void giveBackOrchestration(OrchestrationWorkItem item) {
    abandonOrchestrationAfterStoreFailure(item, Duration.ZERO);
  }

  /**
   * Limits the work this store hands to this engine to {@code scope}, if the store shares its work
   * with other engines (a database several hosts use): instances and tasks of names outside the
   * scope are left for the others. Called once, before {@link #start}. A store that one engine owns
   * alone ignores it, and returns false: nobody else could run the work.
   *
   * @return whether the store honours the scope
   */
  default boolean scopeWork(WorkScope scope) {
    return false;
  }

  /** The scope given to {@link #scopeWork} may have widened: work it now covers is looked for. */
  default void workScopeChanged() {}

  /** Registers the store's own meters (none by default) in the engine's registry. */
  default void registerMetrics(MeterRegistry registry) {}

  /**
   * The work waiting in the store now, for metrics; empty if the store cannot tell. Work a worker
   * holds in memory before writing it (results kept for an instance's next checkpoint) may be left
   * out. May read the database: call it at a scrape, not per episode.
   */
  default Optional<WorkBacklog> backlog() {
    return Optional.empty();
  }

  // ---- activity workers ----

  /** Locks the next activity task, waiting up to {@code maxWait}. */
  Optional<ActivityWorkItem> nextActivity(Duration maxWait) throws InterruptedException;

  /**
   * Deletes the task and delivers its result ({@link HistoryEvent.TaskCompleted} or {@link
   * HistoryEvent.TaskFailed}) to the instance's inbox, atomically. The future completes once
   * durable, or once the store holds the result for the instance's next checkpoint to record: a
   * store may do that (it saves a write per activity) if a crash before that checkpoint leaves the
   * task to run again, and a close writes what it holds; if the task is no longer locked with this
   * token the result is dropped and the future fails with {@link LockLostException}. A result of
   * another kind fails the future with an {@link IllegalArgumentException}.
   */
  CompletableFuture<Void> completeActivity(ActivityWorkItem item, HistoryEvent result);

  /**
   * Unlocks a task so that it runs again (for example, at shutdown after the grace period); its
   * delivery count goes up by one. Does nothing if the task is no longer locked with {@code item}'s
   * token.
   */
  void abandonActivity(ActivityWorkItem item);

  /**
   * Unlocks a task that was not run (no remote worker took it, see {@link
   * NoRemoteWorkerException}): as {@link #abandonActivity}, but the delivery counted when it was
   * handed out is taken back, so that waiting for a worker cannot use up the task's attempts.
   */
  void giveBackActivity(ActivityWorkItem item);

  /**
   * Gives up on a task delivered too often without a result, instead of running it again: its
   * instance is sent a {@link HistoryEvent.TaskFailed} with {@code failure} and the task becomes a
   * dead letter, atomically ({@link StoreRules#deadLetterActivity}). The future completes once
   * durable; it fails with {@link LockLostException} if the task is no longer locked with {@code
   * item}'s token.
   */
  CompletableFuture<Void> deadLetterActivity(ActivityWorkItem item, FailureDetails failure);
}
