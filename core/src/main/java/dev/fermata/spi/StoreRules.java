package dev.fermata.spi;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.StoreTransaction.InstancePart;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules every store follows when it writes, written once: creating and replacing instances,
 * sending messages (an entity's row created by its first message), checkpoint fencing, purging,
 * delivery counting and dead-lettering, activity results, re-driving dead letters. Each method runs
 * inside one {@link StoreTransaction} the store opened; what differs between stores (SQL, locking,
 * batching, wake-ups) is the transaction's business, what must be the same everywhere is here.
 *
 * <p>Every store runs the contract suite ({@code StoreContractTest}) against these rules.
 */
public final class StoreRules {
  private static final Logger LOG = LoggerFactory.getLogger(StoreRules.class);

  private final InstantSource clock;

  public StoreRules(InstantSource clock) {
    this.clock = clock;
  }

  // ---- client writes ----

  /**
   * Creates an instance following {@link NewInstance}'s rules.
   *
   * @return false if refused because a running-like instance has the id
   */
  public boolean createInstance(StoreTransaction tx, NewInstance request) {
    InstanceRecord record = request.record();
    String id = record.instanceId();
    // Most ids are new: the insert comes first, and takes no lock on a row that exists.
    boolean inserted = true;
    while (!tx.insertInstance(record)) {
      inserted = false;
      Optional<OrchestrationStatus> existing = tx.lockForDelete(id);
      if (existing.isEmpty()) {
        continue; // purged meanwhile (by another process): try the insert again
      }
      if (existing.get().isRunningLike()) {
        if (request.onConflict() != null) {
          enqueue(tx, request.onConflict());
        }
        return false;
      }
      tx.replaceInstance(record);
      tx.deleteInstanceData(id, InstancePart.OF_A_REPLACED_INSTANCE);
      break;
    }
    Instant startAt =
        record.scheduledStartAt() != null
            ? record.scheduledStartAt()
            : request.startEvent().scheduledStartTime();
    NewMessage start = new NewMessage(id, record.executionId(), startAt, request.startEvent());
    if (inserted && startAt == null) {
      tx.insertStartMessage(record, start, clock.instant());
    } else {
      tx.insertMessage(start, startAt == null ? clock.instant() : startAt);
    }
    tx.instanceChanged(record);
    return true;
  }

  /**
   * Enqueues a message if the instance's status is accepted; see {@link DurableStore#sendMessage}.
   */
  public Optional<OrchestrationStatus> sendMessage(
      StoreTransaction tx, NewMessage message, Set<OrchestrationStatus> accepted) {
    String id = message.instanceId();
    Optional<OrchestrationStatus> status = tx.statusForMessage(id);
    if (status.isEmpty() && createEntityRow(tx, id)) {
      status = tx.statusForMessage(id);
    }
    if (status.isPresent() && accepted.contains(status.get())) {
      enqueue(tx, message);
    }
    return status;
  }

  /** Deletes a terminal instance with all it owns; see {@link DurableStore#purgeInstance}. */
  public boolean purge(StoreTransaction tx, String instanceId) {
    Optional<OrchestrationStatus> status = tx.lockForDelete(instanceId);
    if (status.isEmpty() || !status.get().isTerminal()) {
      return false;
    }
    if (EntityRows.isEntityId(instanceId) && tx.hasMessage(instanceId, null)) {
      return false; // a message arrived for the empty entity: it lives on
    }
    tx.deleteInstanceData(instanceId, InstancePart.ALL);
    tx.instanceChanged(instanceId, null);
    return true;
  }

  /**
   * Refuses a bulk purge limit below 1; see {@link DurableStore#purgeInstances(InstanceFilter,
   * int)}.
   */
  public static void requirePurgeLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("a purge limit must be at least 1, got " + limit);
    }
  }

  /** Purges up to {@code limit} terminal instances matching {@code filter}; returns how many. */
  public int purgeBatch(StoreTransaction tx, InstanceFilter filter, int limit) {
    int purged = 0;
    for (String id : tx.lockTerminalInstances(filter, limit)) {
      purged += purge(tx, id) ? 1 : 0;
    }
    return purged;
  }

  // ---- orchestration episodes ----

  /**
   * Applies a checkpoint; see {@link DurableStore#checkpoint}.
   *
   * @return null when applied, or the refusal when the stored history moved on: nothing of the
   *     checkpoint is applied then, but the instance is unlocked and dispatched again, which the
   *     transaction must commit
   * @throws LockLostException if the instance is not locked with the checkpoint's token
   */
  public HistoryMovedOnException checkpoint(StoreTransaction tx, Checkpoint cp) {
    String id = cp.instanceId();
    long token = cp.lockToken();
    OptionalInt locked = tx.lockForCheckpoint(id, token);
    if (locked.isEmpty()) {
      throw new LockLostException(
          "checkpoint refused: instance '" + id + "' is not locked with token " + token);
    }
    int stored = locked.getAsInt();
    if (!cp.resetHistory() && !cp.newEvents().isEmpty() && cp.firstEventIndex() != stored) {
      // Another episode recorded these steps already; dispatch again so that a fresh replay of
      // the stored history decides what happens next.
      tx.release(id, token, null);
      return new HistoryMovedOnException(
          "checkpoint refused: instance '"
              + id
              + "' has "
              + stored
              + " history events but the checkpoint starts at "
              + cp.firstEventIndex());
    }
    Instant now = clock.instant();
    consume(tx, cp, now);
    if (cp.resetHistory()) {
      tx.deleteInstanceData(id, Set.of(InstancePart.HISTORY));
    }
    tx.appendHistory(id, cp.resetHistory() ? 0 : stored, cp.newEvents());
    tx.updateInstance(cp.instance());
    tx.instanceChanged(cp.instance());
    tx.insertTasks(cp.newTasks());
    for (NewInstance child : cp.newInstances()) { // before the messages, so that they reach them
      createInstance(tx, child);
    }
    for (NewMessage message : cp.newMessages()) {
      enqueue(tx, message);
    }
    tx.releaseAfterCheckpoint(id, token, now);
    return null;
  }

  /** Deletes (or dead-letters) consumed messages; uncounts the others this episode was given. */
  private static void consume(StoreTransaction tx, Checkpoint cp, Instant now) {
    String id = cp.instanceId();
    tx.removeMessages(id, cp.consumedMessageIds(), cp.deadLetter(), cp.deadLetterReason(), now);
    // Handing a message out counted a delivery (so that a crash counts); one the episode
    // processed successfully but left in the inbox was not a failed delivery.
    Set<Long> unconsumed = new LinkedHashSet<>(tx.handedOut(id, cp.lockToken()));
    cp.consumedMessageIds().forEach(unconsumed::remove);
    if (!unconsumed.isEmpty()) {
      tx.uncountDeliveries(id, unconsumed);
    }
  }

  /**
   * Unlocks an instance whose episode failed; its delivery was counted when its messages were
   * handed out. Does nothing if the lock is no longer held.
   */
  public void abandonOrchestration(
      StoreTransaction tx, OrchestrationWorkItem item, Duration retryDelay) {
    tx.release(item.instance().instanceId(), item.lockToken(), retryDelay);
  }

  /**
   * Unlocks an instance whose episode failed because the store failed, not its code: the delivery
   * counted when its messages were handed out is taken back, so that an outage cannot use up a
   * healthy instance's attempts and quarantine it. Does nothing if the lock is no longer held.
   */
  public void abandonAfterStoreFailure(
      StoreTransaction tx, OrchestrationWorkItem item, Duration retryDelay) {
    String id = item.instance().instanceId();
    List<Long> handedOut = tx.handedOut(id, item.lockToken());
    if (!handedOut.isEmpty()) {
      tx.uncountDeliveries(id, handedOut);
    }
    tx.release(id, item.lockToken(), retryDelay);
  }

  // ---- activities ----

  /**
   * Deletes the task and sends its result to the instance; see {@link
   * DurableStore#completeActivity}.
   *
   * @throws LockLostException if the task is no longer locked with the item's token
   */
  public void completeActivity(StoreTransaction tx, ActivityWorkItem item, HistoryEvent result) {
    requireActivityResult(result);
    ActivityTask task = item.task();
    NewMessage message = new NewMessage(task.instanceId(), task.executionId(), null, result);
    if (!tx.completeTask(item, message, clock.instant())) {
      throw taskLockLost(item);
    }
  }

  /** The refusal of a result whose task is no longer locked with the item's token. */
  public static LockLostException taskLockLost(ActivityWorkItem item) {
    return new LockLostException(
        "activity result dropped: task "
            + item.id()
            + " of instance '"
            + item.task().instanceId()
            + "' is no longer locked with token "
            + item.lockToken());
  }

  /** Checks that an activity's result is one: a store refuses anything else. */
  public static void requireActivityResult(HistoryEvent result) {
    if (!(result instanceof HistoryEvent.TaskCompleted)
        && !(result instanceof HistoryEvent.TaskFailed)) {
      throw new IllegalArgumentException(
          "an activity result must be TaskCompleted or TaskFailed, was " + result);
    }
  }

  /** Checks the limit of a listing, such as {@link DurableStore#deadLetters}. */
  public static void requireLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
  }

  /** Unlocks a task so that it runs again; its delivery was counted when it was handed out. */
  public void abandonActivity(StoreTransaction tx, ActivityWorkItem item) {
    tx.releaseTask(item, false);
  }

  /**
   * Unlocks a task that was not run, taking back the delivery counted when it was handed out; see
   * {@link DurableStore#giveBackActivity}.
   */
  public void giveBackActivity(StoreTransaction tx, ActivityWorkItem item) {
    tx.releaseTask(item, true);
  }

  /**
   * Gives up on a task whose earlier deliveries never produced a result (each crashed its worker,
   * say): deletes it, sends its instance a {@link HistoryEvent.TaskFailed} with {@code failure} and
   * keeps it as a dead letter, in one step; see {@link DurableStore#deadLetterActivity}.
   *
   * @throws LockLostException if the task is no longer locked with the item's token
   */
  public void deadLetterActivity(
      StoreTransaction tx, ActivityWorkItem item, FailureDetails failure) {
    ActivityTask task = item.task();
    Instant now = clock.instant();
    HistoryEvent result = new HistoryEvent.TaskFailed(now, task.taskId(), failure);
    NewMessage message = new NewMessage(task.instanceId(), task.executionId(), null, result);
    if (!tx.completeTask(item, message, now)) {
      throw taskLockLost(item);
    }
    tx.insertDeadLetter(DeadLetter.ofActivity(item, now, failure.errorMessage()));
  }

  // ---- dead letters ----

  /**
   * Re-drives a dead-lettered message: it goes back into its instance's inbox, visible now and with
   * no delivery counted, and leaves the dead letters. An activity's dead letter is left as it is:
   * its failure reached the orchestration already, which has moved on from it.
   *
   * @return the dead letter as it was, or empty if there is none with that id
   */
  public Optional<DeadLetter> redrive(StoreTransaction tx, long deadLetterId) {
    Optional<DeadLetter> found = tx.lockDeadLetter(deadLetterId);
    if (found.isPresent() && found.get().kind() == DeadLetter.Kind.MESSAGE) {
      DeadLetter letter = found.get();
      enqueue(tx, new NewMessage(letter.instanceId(), letter.executionId(), null, letter.event()));
      tx.deleteDeadLetter(deadLetterId);
    }
    return found;
  }

  // ---- messages ----

  /**
   * Adds a message to an existing instance's inbox, creating an entity's row on its first message
   * ({@link EntityRows}); a message for no instance is dropped.
   */
  private void enqueue(StoreTransaction tx, NewMessage message) {
    Instant visibleAt = message.visibleAt() == null ? clock.instant() : message.visibleAt();
    String id = message.instanceId();
    boolean inserted = tx.insertMessageIfInstanceExists(message, visibleAt);
    if (!inserted && createEntityRow(tx, id)) {
      inserted = tx.insertMessageIfInstanceExists(message, visibleAt);
    }
    if (!inserted) {
      LOG.debug("dropping {} for unknown instance '{}'", message.event().eventType(), id);
    }
  }

  /** True if the id is an entity's and its row exists now (created here if it did not). */
  private boolean createEntityRow(StoreTransaction tx, String instanceId) {
    if (!EntityRows.isEntityId(instanceId)) {
      return false;
    }
    InstanceRecord row = EntityRows.newRow(instanceId, clock.instant());
    if (tx.insertInstance(row)) {
      tx.instanceChanged(row);
    }
    return true;
  }
}
