package dev.fermata.sqlite;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.HeldResult;
import dev.fermata.jdbc.Rows;
import dev.fermata.jdbc.StoreReads;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceChangeListener;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LocalDispatcher;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.StoreTransaction;
import dev.fermata.sqlite.GroupCommitWriter.WriteContext;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One write as the shared rules see it, run by the {@link GroupCommitWriter} inside its batch
 * transaction. The writer is the only one, so reads need no row locks; instance and task locks live
 * in memory ({@link LocalDispatcher}, {@link Locks}) and change only after the commit, like every
 * wake-up and listener call.
 */
final class SqliteTransaction implements StoreTransaction {
  /** What every write of one store shares. */
  record Context(
      LocalDispatcher<QueuedTask> dispatcher,
      Locks locks,
      PendingResults pending,
      HandOutsFromMemory fromMemory,
      InstanceChangeListener instanceChanged) {}

  /** A database call of this transaction. */
  private interface Sql<T> {
    T run() throws SQLException;
  }

  private final SqlConnection db;
  private final WriteContext write;
  private final Context store;
  private final EventJson json;
  private final List<Long> consumedResults =
      new ArrayList<>(); // tasks whose held result is recorded

  /** The instance row this write updated last, for the checkpoint that may hold it in memory. */
  private InstanceRecord updatedRow;

  SqliteTransaction(SqlConnection db, WriteContext write, Context store, EventJson json) {
    this.db = db;
    this.write = write;
    this.store = store;
    this.json = json;
  }

  // ---- instance rows ----

  @Override
  public Optional<OrchestrationStatus> statusForMessage(String instanceId) {
    return sql(() -> Tables.status(db, instanceId));
  }

  @Override
  public Optional<OrchestrationStatus> lockForDelete(String instanceId) {
    return sql(() -> Tables.status(db, instanceId)); // the single writer locks everything
  }

  @Override
  public boolean insertInstance(InstanceRecord row) {
    forgetInMemoryAfterCommit(row.instanceId());
    return sql(() -> Tables.insertInstance(db, row));
  }

  @Override
  public void replaceInstance(InstanceRecord row) {
    forgetInMemoryAfterCommit(row.instanceId());
    run(() -> Tables.writeInstance(db, row));
  }

  @Override
  public OptionalInt lockForCheckpoint(String instanceId, long lockToken) {
    if (!holds(instanceId, lockToken)) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(sql(() -> Tables.historySize(db, instanceId)));
  }

  @Override
  public void updateInstance(InstanceRecord row) {
    forgetInMemoryAfterCommit(row.instanceId());
    run(() -> Tables.updateInstance(db, row));
    updatedRow = row;
  }

  @Override
  public void deleteInstanceData(String instanceId, Set<InstancePart> parts) {
    forgetInMemoryAfterCommit(instanceId);
    run(() -> Tables.deleteRows(db, instanceId, parts));
    if (parts.contains(InstancePart.TASKS)) { // their held results and queued rows go with them
      write.afterCommit(
          () -> {
            store.pending().removeInstance(instanceId);
            store.locks().unlockTasksOf(instanceId);
            store
                .dispatcher()
                .removeActivities(
                    q -> q.inserted() != null && q.inserted().instanceId().equals(instanceId));
          });
    }
  }

  @Override
  public List<String> lockTerminalInstances(InstanceFilter filter, int limit) {
    return sql(() -> Tables.terminalInstanceIds(db, filter, limit));
  }

  @Override
  public void appendHistory(String instanceId, int firstIndex, List<HistoryEvent> events) {
    run(() -> Tables.appendHistory(db, instanceId, firstIndex, events, json));
  }

  // ---- inbox ----

  @Override
  public void insertMessage(NewMessage message, Instant visibleAt) {
    forgetInMemoryAfterCommit(message.instanceId());
    run(() -> Tables.insertMessage(db, message, visibleAt, json));
    write.afterCommit(() -> store.dispatcher().signalInstance(message.instanceId(), visibleAt));
  }

  @Override
  public void insertStartMessage(InstanceRecord instance, NewMessage start, Instant visibleAt) {
    if (!HandOutsFromMemory.mayHold(instance)) {
      insertMessage(start, visibleAt);
      return;
    }
    long id = sql(() -> Tables.insertMessage(db, start, visibleAt, json));
    InboxMessage message =
        new InboxMessage(id, start.instanceId(), start.executionId(), visibleAt, start.event(), 0);
    write.afterCommit(
        () -> {
          store.fromMemory().created(instance, message); // before the worker is woken
          store.dispatcher().signalInstance(start.instanceId(), visibleAt);
        });
  }

  @Override
  public boolean insertMessageIfInstanceExists(NewMessage message, Instant visibleAt) {
    if (!sql(() -> Tables.instanceExists(db, message.instanceId()))) {
      return false;
    }
    insertMessage(message, visibleAt);
    return true;
  }

  @Override
  public boolean hasMessage(String instanceId, Instant at) {
    return sql(
        () ->
            at == null
                ? Tables.hasMessage(db, instanceId)
                : Tables.hasVisibleMessage(db, instanceId, at));
  }

  @Override
  public void removeMessages(
      String instanceId, List<Long> messageIds, boolean deadLetter, String reason, Instant now) {
    run(
        () -> {
          for (long messageId : messageIds) {
            if (HeldResult.isHeldResult(messageId)) {
              recordHeldResult(instanceId, messageId, deadLetter, reason, now);
              continue;
            }
            if (deadLetter) {
              Tables.copyToDeadLetters(db, instanceId, messageId, reason, now);
            }
            Tables.deleteMessage(db, instanceId, messageId);
          }
        });
  }

  /**
   * A held result is consumed: its task row goes in this transaction (the result is in the history
   * now), and it is forgotten, with its task's lock, once that commits.
   */
  private void recordHeldResult(
      String instanceId, long messageId, boolean deadLetter, String reason, Instant now)
      throws SQLException {
    long taskId = HeldResult.taskId(messageId);
    HeldResult held = store.pending().get(instanceId, taskId);
    if (held == null) {
      return; // dropped meanwhile (the instance was purged or replaced)
    }
    if (deadLetter) {
      Tables.insertDeadLetter(
          db, DeadLetter.ofMessage(held.message(), now, reason), json.of(held.result()));
    }
    Tables.deleteTask(db, taskId);
    consumedResults.add(taskId);
    write.afterCommit(
        () -> {
          store.pending().remove(instanceId, taskId);
          store.locks().unlockTask(taskId, held.item().lockToken());
        });
  }

  @Override
  public List<Long> handedOut(String instanceId, long lockToken) {
    return store.locks().handedOut(instanceId, lockToken);
  }

  @Override
  public void uncountDeliveries(String instanceId, Collection<Long> messageIds) {
    run(
        () -> {
          for (long messageId : messageIds) {
            if (HeldResult.isHeldResult(messageId)) {
              store.pending().uncount(instanceId, HeldResult.taskId(messageId));
            } else {
              Tables.changeDeliveryCount(db, "inbox", messageId, -1);
            }
          }
        });
  }

  // ---- activity tasks ----

  @Override
  public void insertTasks(List<ActivityTask> tasks) {
    for (ActivityTask task : tasks) {
      // Handed to this process's activity threads with its row, its first delivery counted here.
      long taskId = sql(() -> Tables.insertTask(db, task, 1));
      write.afterCommit(() -> store.dispatcher().signalActivity(new QueuedTask(taskId, task)));
    }
  }

  @Override
  public boolean completeTask(ActivityWorkItem item, NewMessage result, Instant visibleAt) {
    Locks locks = store.locks();
    if (!locks.holdsTask(item.id(), item.lockToken())) {
      return false;
    }
    if (!sql(() -> Tables.deleteTask(db, item.id()))) {
      locks.unlockTask(item.id(), item.lockToken()); // purged meanwhile: the lock is moot
      return false;
    }
    insertMessageIfInstanceExists(result, visibleAt);
    write.afterCommit(() -> locks.unlockTask(item.id(), item.lockToken()));
    return true;
  }

  @Override
  public boolean releaseTask(ActivityWorkItem item, boolean uncountDelivery) {
    if (!store.locks().holdsTask(item.id(), item.lockToken())) {
      return false;
    }
    if (uncountDelivery) {
      // The count was written at hand-out, by this writer: an earlier write of the same queue.
      run(() -> Tables.changeDeliveryCount(db, "tasks", item.id(), -1));
    }
    write.afterCommit(
        () -> {
          store.locks().unlockTask(item.id(), item.lockToken());
          store.dispatcher().signalActivity(QueuedTask.stored(item.id()));
        });
    return true;
  }

  // ---- dead letters ----

  @Override
  public void insertDeadLetter(DeadLetter letter) {
    run(() -> Tables.insertDeadLetter(db, letter, json.of(letter.event())));
  }

  @Override
  public Optional<DeadLetter> lockDeadLetter(long deadLetterId) {
    return sql(() -> StoreReads.deadLetter(db, deadLetterId)); // the single writer locks all
  }

  @Override
  public void deleteDeadLetter(long deadLetterId) {
    run(() -> Tables.deleteDeadLetter(db, deadLetterId));
  }

  // ---- instance locks and wake-ups ----

  @Override
  public void release(String instanceId, long lockToken, Duration delay) {
    if (holds(instanceId, lockToken)) {
      unlockAfterCommit(instanceId, lockToken, true, delay);
    }
  }

  /**
   * Unlocks the instance after its checkpoint, dispatching it again if work is there already. An
   * instance left with no inbox message at all is settled with the row this checkpoint wrote, so
   * that its next hand-out, for results held in memory, reads nothing ({@link HandOutsFromMemory}).
   */
  @Override
  public void releaseAfterCheckpoint(String instanceId, long lockToken, Instant now) {
    OptionalLong firstVisibleAt = sql(() -> Tables.firstMessageVisibleAt(db, instanceId));
    boolean moreWork =
        store.pending().hasAny(instanceId, consumedResults)
            || (firstVisibleAt.isPresent() && firstVisibleAt.getAsLong() <= now.toEpochMilli());
    if (firstVisibleAt.isEmpty()
        && updatedRow != null
        && updatedRow.instanceId().equals(instanceId)) {
      InstanceRecord stored = Rows.asStored(updatedRow);
      write.afterCommit(() -> store.fromMemory().settled(stored)); // before the unlock below
    }
    unlockAfterCommit(instanceId, lockToken, moreWork, null);
  }

  @Override
  public void instanceChanged(String instanceId, OrchestrationStatus status) {
    write.afterCommit(() -> store.instanceChanged().changed(instanceId, status));
  }

  @Override
  public void instanceChanged(InstanceRecord row) {
    InstanceRecord stored = Rows.asStored(row);
    write.afterCommit(() -> store.instanceChanged().changed(stored));
  }

  /** Once this write commits, the instance's next hand-out reads it (see HandOutsFromMemory). */
  private void forgetInMemoryAfterCommit(String instanceId) {
    write.afterCommit(() -> store.fromMemory().forget(instanceId));
  }

  /** True if the lock is held and no earlier write of this batch is giving it up. */
  private boolean holds(String instanceId, long lockToken) {
    return !write.unlockedInBatch(instanceId) && store.dispatcher().holds(instanceId, lockToken);
  }

  private void unlockAfterCommit(String id, long token, boolean moreWork, Duration delay) {
    write.unlocking(id);
    write.afterCommit(
        () -> {
          store.locks().forgetHandOut(id, token);
          store.dispatcher().release(id, token, moreWork, delay);
        });
  }

  // ---- plumbing ----

  private static <T> T sql(Sql<T> call) {
    try {
      return call.run();
    } catch (SQLException e) {
      throw StorageErrors.ofWrite(e);
    }
  }

  private interface SqlRun {
    void run() throws SQLException;
  }

  private static void run(SqlRun call) {
    sql(
        () -> {
          call.run();
          return null;
        });
  }
}
