package dev.fermata.spi;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One write transaction of a store, as {@link StoreRules} drive it: the primitive reads and writes
 * the rules are made of. A store implements it over its own storage, its own locking (row locks,
 * in-process locks) and its own wake-ups; the rules decide what is written when.
 *
 * <p>Everything asked of one transaction is applied atomically, or none of it. Wake-ups and
 * listener calls the methods imply ({@link #insertMessage}, {@link #insertTasks}, {@link
 * #instanceChanged}, the releases) take effect only once the transaction commits, so nobody is
 * woken for work that is not durable yet.
 */
public interface StoreTransaction {

  /** The parts of an instance's stored data, for {@link #deleteInstanceData}. */
  enum InstancePart {
    ROW,
    HISTORY,
    INBOX,
    TASKS,
    DEAD_LETTERS;

    /** Everything an instance owns. */
    public static final Set<InstancePart> ALL = Set.of(values());

    /** What a replaced instance leaves behind: its row stays and is overwritten. */
    public static final Set<InstancePart> OF_A_REPLACED_INSTANCE = Set.of(HISTORY, INBOX, TASKS);
  }

  // ---- instance rows ----

  /** The instance's status; the row cannot be deleted before this transaction ends. */
  Optional<OrchestrationStatus> statusForMessage(String instanceId);

  /**
   * The instance's status, with its row locked against every other writer (to delete or replace).
   */
  Optional<OrchestrationStatus> lockForDelete(String instanceId);

  /** Inserts a new instance row; false, and nothing written, if the id exists. */
  boolean insertInstance(InstanceRecord row);

  /**
   * Overwrites the row of an instance locked by {@link #lockForDelete}; any lock token the row held
   * is forgotten, so it can never match again.
   */
  void replaceInstance(InstanceRecord row);

  /**
   * Locks the instance for a checkpoint if {@code lockToken} is its current lock.
   *
   * @return the number of stored history events, or empty if the instance is not locked with the
   *     token (lost lock, or no such instance)
   */
  OptionalInt lockForCheckpoint(String instanceId, long lockToken);

  /** Writes an episode's instance row (the instance is locked by the episode). */
  void updateInstance(InstanceRecord row);

  /** Deletes the given parts of an instance's data. */
  void deleteInstanceData(String instanceId, Set<InstancePart> parts);

  /** The ids of up to {@code limit} terminal instances matching {@code filter}, each locked. */
  List<String> lockTerminalInstances(InstanceFilter filter, int limit);

  /** Appends events to the history, the first at position {@code firstIndex}. */
  void appendHistory(String instanceId, int firstIndex, List<HistoryEvent> events);

  // ---- inbox ----

  /**
   * Adds a message to an instance this transaction created or holds locked, visible at {@code
   * visibleAt}, and wakes a worker for it then.
   */
  void insertMessage(NewMessage message, Instant visibleAt);

  /**
   * Adds the start message, visible now, of an instance this transaction has just inserted (not
   * replaced). Nothing but messages can reach the instance before its first episode, so a store may
   * hand it to its own orchestration worker straight from memory once this commits, with the
   * message's delivery counted in the insert and the history known to be empty: no hand-out read
   * and no history read. By default, an ordinary message.
   */
  default void insertStartMessage(InstanceRecord instance, NewMessage start, Instant visibleAt) {
    insertMessage(start, visibleAt);
  }

  /**
   * Like {@link #insertMessage}, if the instance exists; false, and nothing written, if not. The
   * instance's row cannot be deleted while the message is being inserted.
   */
  boolean insertMessageIfInstanceExists(NewMessage message, Instant visibleAt);

  /** True if the instance has an inbox message visible at {@code at}, or any message if null. */
  boolean hasMessage(String instanceId, Instant at);

  /**
   * Deletes an episode's consumed messages, first copying them to the dead letters (with {@code
   * reason}, which may be null) if asked.
   */
  void removeMessages(
      String instanceId, List<Long> messageIds, boolean deadLetter, String reason, Instant now);

  /**
   * The ids of the messages handed out with the instance's lock {@code lockToken}; empty if that is
   * not the current lock. A hand-out counts a delivery of each, so that a crash counts.
   */
  List<Long> handedOut(String instanceId, long lockToken);

  /** Takes back the delivery counted at hand-out, for messages an episode left in the inbox. */
  void uncountDeliveries(String instanceId, Collection<Long> messageIds);

  // ---- activity tasks ----

  /** Enqueues activity tasks and wakes activity workers for them. */
  void insertTasks(List<ActivityTask> tasks);

  /**
   * Deletes the task if it is still locked with the item's token and sends {@code result} to its
   * instance, if that exists (otherwise the result is dropped), in one step.
   *
   * @return false, and nothing written, if the task is not locked with the token (or is gone)
   */
  boolean completeTask(ActivityWorkItem item, NewMessage result, Instant visibleAt);

  /**
   * Unlocks a task held with the item's token so that it runs again; false if not held.
   *
   * @param uncountDelivery whether the delivery counted when the task was handed out is taken back
   *     (the task was not run)
   */
  boolean releaseTask(ActivityWorkItem item, boolean uncountDelivery);

  // ---- dead letters ----

  /** Stores a dead letter under a new id (the letter's own id is ignored). */
  void insertDeadLetter(DeadLetter letter);

  /** The dead letter with this id, locked against other writers; empty if there is none. */
  Optional<DeadLetter> lockDeadLetter(long deadLetterId);

  /** Deletes a dead letter locked by {@link #lockDeadLetter}. */
  void deleteDeadLetter(long deadLetterId);

  // ---- instance locks and wake-ups ----

  /**
   * Unlocks an instance held with {@code lockToken} and dispatches it again after {@code delay}
   * (null or zero: at once); does nothing if the lock is not held.
   */
  void release(String instanceId, long lockToken, Duration delay);

  /**
   * Unlocks an instance after its checkpoint; dispatches it again if it has a message visible at
   * {@code now}.
   */
  void releaseAfterCheckpoint(String instanceId, long lockToken, Instant now);

  /** Tells instance-change listeners, after commit, that a row changed (status null: purged). */
  void instanceChanged(String instanceId, OrchestrationStatus status);

  /**
   * Tells instance-change listeners, after commit, that the instance's row is now {@code row} (as
   * this transaction wrote it); see {@link InstanceChangeListener#changed(InstanceRecord)}. By
   * default, only its status.
   */
  default void instanceChanged(InstanceRecord row) {
    instanceChanged(row.instanceId(), row.status());
  }
}
