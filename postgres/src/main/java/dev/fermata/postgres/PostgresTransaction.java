package dev.fermata.postgres;

import dev.fermata.FermataException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.FilterSql;
import dev.fermata.jdbc.HeldResult;
import dev.fermata.jdbc.Rows;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.HistoryCodec;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LockLostException;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StoreTransaction;
import dev.fermata.spi.WorkScope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One PostgreSQL transaction as the shared rules see it. Writes whose outcome the rules do not read
 * are queued in a {@link SqlBatch} and sent with the next statement that must answer, or with the
 * notices at {@link #finish}, so that a step costs few round trips; what other workers must hear of
 * is collected in {@link Notices} and sent inside the transaction.
 *
 * <p>Row locks: a write locks the row of the instance it changes before anything else, so two
 * workers never interleave on one instance; a checkpoint's lock ({@code FOR NO KEY UPDATE}) does
 * not conflict with the key-share lock a message to the instance takes (see {@link
 * Tables#insertMessageIfInstanceExists}), so two checkpoints sending to each other cannot deadlock;
 * creating and purging lock {@code FOR UPDATE}, so no message slips in while rows are deleted.
 */
final class PostgresTransaction implements StoreTransaction {
  /** What every transaction of one store shares. */
  record Context(
      InstantSource clock,
      Leases leases,
      LocalSteps localSteps,
      String channel,
      String workerId,
      Duration leaseDuration,
      WorkScope scope) {
    /** Whether this worker may run a task of that activity name (see {@link WorkScope}). */
    boolean takesActivity(String name) {
      return scope == null || scope.takesActivity(name);
    }
  }

  /**
   * A checkpoint that keeps its instance locked for this worker (see {@link LocalSteps}), locking
   * up to {@code localTasks} of its new tasks for this worker too.
   */
  record Keep(String instanceId, long token, int localTasks) {}

  /** A database call of this transaction. */
  private interface Sql<T> {
    T run() throws SQLException;
  }

  private final Connection db;
  private final Context store;
  private final Notices notices = new Notices();
  private final Set<String> unlockedByUpdate = new HashSet<>();

  /** The status of each instance row this transaction locked, as it was when locked. */
  private final Map<String, OrchestrationStatus> statusWhenLocked = new HashMap<>();

  /** The instances this transaction inserted: nobody can be waiting on them elsewhere. */
  private final Set<String> inserted = new HashSet<>();

  private SqlBatch pending = new SqlBatch();
  private Keep keep;
  private List<Long> fenced = List.of();
  private boolean keptByUpdate;
  private List<ActivityTask> lockedForSelf = List.of();
  private List<ActivityWorkItem> lockedItems = List.of();
  private boolean startsHere;
  private OrchestrationWorkItem startedHere;

  PostgresTransaction(Connection db, Context store) {
    this.db = db;
    this.store = store;
  }

  /**
   * The tasks whose held results the checkpoint run in this transaction records: it is applied only
   * if they are still locked for this worker.
   */
  void fence(List<Long> taskIds) {
    this.fenced = List.copyOf(taskIds);
  }

  /** Makes the checkpoint run in this transaction keep its instance locked; see {@link Keep}. */
  void keep(Keep keep) {
    this.keep = keep;
  }

  /** True if the checkpoint kept its instance locked (and its lease) for this worker. */
  boolean kept() {
    return keptByUpdate;
  }

  /** The tasks the checkpoint inserted locked for this worker, ready to run; once committed. */
  List<ActivityWorkItem> lockedForSelf() {
    return lockedItems;
  }

  /**
   * Makes an instance this transaction creates start on this worker: it is inserted locked for this
   * worker and handed to its orchestration threads from memory (see {@link #startedHere}).
   */
  void startHere() {
    this.startsHere = true;
  }

  /**
   * The first work item of the instance created locked for this worker, or null; once committed.
   */
  OrchestrationWorkItem startedHere() {
    return startedHere;
  }

  /** Sends what is queued, with the notices, in one round trip; the caller then commits. */
  Notices finish() {
    run(
        () -> {
          notices.sendWith(pending, store.channel(), store.workerId());
          pending.execute(db);
          pending = new SqlBatch();
        });
    return notices;
  }

  // ---- instance rows ----

  @Override
  public Optional<OrchestrationStatus> statusForMessage(String instanceId) {
    return answer(() -> Tables.shareStatus(db, instanceId));
  }

  @Override
  public Optional<OrchestrationStatus> lockForDelete(String instanceId) {
    Optional<OrchestrationStatus> status =
        answer(() -> Tables.lockRow(db, instanceId, true).map(Tables.LockedRow::status));
    status.ifPresent(s -> statusWhenLocked.put(instanceId, s));
    return status;
  }

  @Override
  public boolean insertInstance(InstanceRecord row) {
    boolean added = answer(() -> Tables.insertInstance(db, row));
    if (added) {
      inserted.add(row.instanceId());
    }
    return added;
  }

  @Override
  public void replaceInstance(InstanceRecord row) {
    Tables.updateInstance(pending, row, null, true);
  }

  /**
   * Also checks, and locks until commit, the tasks whose held results the checkpoint records (see
   * {@link #fence}): if another worker took one over (its lease ran out), that task runs again
   * there, so this result must not be recorded; the checkpoint is refused.
   */
  @Override
  public OptionalInt lockForCheckpoint(String instanceId, long lockToken) {
    Optional<Tables.CheckpointRow> locked =
        answer(() -> Tables.lockForCheckpoint(db, instanceId, fenced, lockToken, store.workerId()));
    if (locked.isEmpty()
        || locked.get().row().lockedBy() == null
        || locked.get().row().lockToken() != lockToken) {
      return OptionalInt.empty();
    }
    if (locked.get().fencedTasksHeld() != fenced.size()) {
      throw new LockLostException(
          "checkpoint refused: a task of instance '"
              + instanceId
              + "' whose result it records was taken over by another worker");
    }
    statusWhenLocked.put(instanceId, locked.get().row().status());
    return OptionalInt.of(locked.get().historySize());
  }

  /**
   * Also releases the instance's lock, or extends its lease if the checkpoint keeps it: the row's
   * lock columns are written with it.
   */
  @Override
  public void updateInstance(InstanceRecord row) {
    if (keeps(row.instanceId())) {
      Tables.updateKeptInstance(pending, row, store.workerId(), lockedUntil());
      keptByUpdate = true;
      return;
    }
    Tables.updateInstance(pending, row, null, false);
    unlockedByUpdate.add(row.instanceId());
  }

  private boolean keeps(String instanceId) {
    return keep != null && keep.instanceId().equals(instanceId);
  }

  private long lockedUntil() {
    return store.clock().millis() + store.leaseDuration().toMillis();
  }

  @Override
  public void deleteInstanceData(String instanceId, Set<InstancePart> parts) {
    for (InstancePart part : parts) {
      Tables.deleteRows(pending, instanceId, Rows.table(part));
    }
  }

  @Override
  public List<String> lockTerminalInstances(InstanceFilter filter, int limit) {
    return answer(
        () -> {
          FilterSql where = FilterSql.terminalOnly(PostgresDialect.INSTANCE, filter);
          List<String> ids = new ArrayList<>();
          try (PreparedStatement select =
              db.prepareStatement(
                  "SELECT instance_id FROM instances WHERE "
                      + where.where()
                      + " LIMIT ? FOR UPDATE SKIP LOCKED")) {
            select.setInt(where.bind(select), limit);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                ids.add(rows.getString(1));
              }
            }
          }
          return ids;
        });
  }

  @Override
  public void appendHistory(String instanceId, int firstIndex, List<HistoryEvent> events) {
    Tables.appendHistory(pending, instanceId, firstIndex, events);
  }

  // ---- inbox ----

  @Override
  public void insertMessage(NewMessage message, Instant visibleAt) {
    Tables.insertMessage(pending, message, visibleAt);
    // A future message wakes waiters too: they re-plan their sleep.
    notices.orchestrationWork(message.instanceId());
  }

  /** No claim and no notice when the instance starts here; see {@link #startHere}. */
  @Override
  public void insertStartMessage(InstanceRecord instance, NewMessage start, Instant visibleAt) {
    if (!startsHere) {
      insertMessage(start, visibleAt);
      return;
    }
    Tables.LockedStart locked =
        answer(() -> Tables.lockNewInstance(db, start, visibleAt, store.workerId(), lockedUntil()));
    InboxMessage message =
        new InboxMessage(
            locked.messageId(),
            start.instanceId(),
            start.executionId(),
            visibleAt,
            start.event(),
            0);
    startedHere = new OrchestrationWorkItem(instance, List.of(message), locked.lockToken(), true);
  }

  @Override
  public boolean insertMessageIfInstanceExists(NewMessage message, Instant visibleAt) {
    boolean inserted = answer(() -> Tables.insertMessageIfInstanceExists(db, message, visibleAt));
    if (inserted) {
      notices.orchestrationWork(message.instanceId());
    }
    return inserted;
  }

  @Override
  public boolean hasMessage(String instanceId, Instant at) {
    long atMillis = at == null ? Long.MAX_VALUE : at.toEpochMilli();
    return answer(() -> Tables.hasVisibleMessage(db, instanceId, atMillis));
  }

  @Override
  public void removeMessages(
      String instanceId, List<Long> messageIds, boolean deadLetter, String reason, Instant now) {
    List<Long> inbox = messageIds.stream().filter(id -> !HeldResult.isHeldResult(id)).toList();
    if (deadLetter) {
      Tables.copyToDeadLetters(pending, instanceId, inbox, reason, now.toEpochMilli());
    }
    Tables.deleteMessages(pending, instanceId, inbox);
    recordHeldResults(instanceId, messageIds, deadLetter, reason, now);
  }

  /**
   * Held results the episode consumed: their tasks' rows go in this transaction (the results are in
   * the history now); {@link LocalSteps#kept} forgets them once it commits.
   */
  private void recordHeldResults(
      String instanceId, List<Long> messageIds, boolean deadLetter, String reason, Instant now) {
    List<Long> taskIds = new ArrayList<>();
    long token = 0;
    for (long messageId : messageIds) {
      if (!HeldResult.isHeldResult(messageId)) {
        continue;
      }
      HeldResult held = store.localSteps().get(instanceId, HeldResult.taskId(messageId));
      if (held == null) {
        continue;
      }
      if (deadLetter) {
        Tables.insertDeadLetter(pending, DeadLetter.ofMessage(held.message(), now, reason));
      }
      taskIds.add(held.item().id());
      token = held.item().lockToken();
    }
    Tables.deleteTasks(pending, taskIds, token);
  }

  @Override
  public List<Long> handedOut(String instanceId, long lockToken) {
    return store.leases().handedOut(instanceId, lockToken);
  }

  @Override
  public void uncountDeliveries(String instanceId, Collection<Long> messageIds) {
    List<Long> inbox = new ArrayList<>();
    for (long messageId : messageIds) {
      if (HeldResult.isHeldResult(messageId)) {
        store.localSteps().uncount(instanceId, HeldResult.taskId(messageId));
      } else {
        inbox.add(messageId);
      }
    }
    Tables.uncountDeliveries(pending, instanceId, inbox);
  }

  // ---- activity tasks ----

  /**
   * Enqueues tasks; a checkpoint that keeps its instance locks the first of them for this worker
   * (up to its plan's number), the rest go to the shared queue.
   */
  @Override
  public void insertTasks(List<ActivityTask> tasks) {
    int local = 0;
    if (keptByUpdate && !tasks.isEmpty() && keeps(tasks.get(0).instanceId())) {
      local = Math.min(keep.localTasks(), tasks.size());
    }
    // Only tasks this worker can run are locked for it; the others go to the workers that can.
    List<ActivityTask> mine = new ArrayList<>(local);
    List<ActivityTask> shared = new ArrayList<>(tasks.size());
    for (ActivityTask task : tasks) {
      (mine.size() < local && store.takesActivity(task.name()) ? mine : shared).add(task);
    }
    lockedForSelf = List.copyOf(mine);
    Tables.insertLockedTasks(
        pending, lockedForSelf, store.workerId(), keep == null ? 0 : keep.token(), lockedUntil());
    Tables.insertTasks(pending, shared);
    if (!shared.isEmpty()) {
      notices.activityWork();
    }
  }

  /**
   * Deletes the task and sends its result to the instance, with the notice, in one statement (run
   * on an auto-commit connection, it is its own transaction: one round trip).
   */
  @Override
  public boolean completeTask(ActivityWorkItem item, NewMessage result, Instant visibleAt) {
    flush();
    try (PreparedStatement complete =
        db.prepareStatement(
            "WITH done AS (DELETE FROM tasks"
                + " WHERE id = ? AND lock_token = ? AND locked_by IS NOT NULL RETURNING id),"
                + " sent AS (INSERT INTO inbox (instance_id, execution_id, visible_at, event_json)"
                + " SELECT ?, ?, ?, ? FROM done WHERE EXISTS"
                // KEY SHARE, as in Tables.insertMessageIfInstanceExists: never a message to a
                // ghost.
                + " (SELECT 1 FROM instances WHERE instance_id = ? FOR KEY SHARE) RETURNING id)"
                + " SELECT (SELECT count(*) FROM done), (SELECT count(pg_notify(?, ?)) FROM sent)")) {
      String payload = Notices.orchestrationWorkPayload(store.workerId(), result.instanceId());
      complete.setLong(1, item.id());
      complete.setLong(2, item.lockToken());
      complete.setString(3, result.instanceId());
      complete.setString(4, result.executionId());
      complete.setLong(5, visibleAt.toEpochMilli());
      complete.setString(6, HistoryCodec.encode(result.event()));
      complete.setString(7, result.instanceId());
      complete.setString(8, store.channel());
      complete.setString(9, payload);
      try (ResultSet row = complete.executeQuery()) {
        row.next();
        if (row.getInt(1) == 0) {
          return false;
        }
        if (row.getInt(2) == 1) {
          notices.orchestrationWorkSent(result.instanceId());
        }
        return true;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean releaseTask(ActivityWorkItem item, boolean uncountDelivery) {
    boolean released =
        answer(() -> Tables.releaseTask(db, item.id(), item.lockToken(), uncountDelivery));
    if (released) {
      notices.activityWork();
    }
    return released;
  }

  // ---- dead letters ----

  @Override
  public void insertDeadLetter(DeadLetter letter) {
    Tables.insertDeadLetter(pending, letter);
  }

  @Override
  public Optional<DeadLetter> lockDeadLetter(long deadLetterId) {
    return answer(() -> Tables.lockDeadLetter(db, deadLetterId));
  }

  @Override
  public void deleteDeadLetter(long deadLetterId) {
    Tables.deleteDeadLetter(pending, deadLetterId);
  }

  // ---- instance locks and wake-ups ----

  @Override
  public void release(String instanceId, long lockToken, Duration delay) {
    Long holdUntil =
        delay == null || delay.isZero() || delay.isNegative()
            ? null
            : store.clock().millis() + delay.toMillis();
    if (answer(() -> Tables.releaseInstance(db, instanceId, lockToken, holdUntil))) {
      notices.orchestrationWork(instanceId);
    }
  }

  /**
   * The checkpoint's row update released the lock already; what is left is to tell whether the
   * instance has more work, which is asked together with the queued writes and the notices (one
   * round trip for the whole checkpoint after its lock).
   */
  @Override
  public void releaseAfterCheckpoint(String instanceId, long lockToken, Instant now) {
    boolean kept = keptByUpdate && keeps(instanceId);
    if (!kept && !unlockedByUpdate.contains(instanceId)) {
      release(instanceId, lockToken, null);
      return;
    }
    Notices.LocalTasks local =
        lockedForSelf.isEmpty()
            ? null
            : new Notices.LocalTasks(
                lockToken,
                lockedForSelf.get(0).executionId(),
                lockedForSelf.stream().map(ActivityTask::taskId).toList());
    Notices.Ending ending =
        answer(
            () ->
                notices.sendEndingBatch(
                    pending,
                    db,
                    store.channel(),
                    store.workerId(),
                    instanceId,
                    now.toEpochMilli(),
                    local,
                    !kept));
    pending = new SqlBatch();
    if (local != null) {
      lockedItems = lockedItems(lockToken, ending.localTaskIds());
    }
    boolean visible = ending.visible();
    if (visible) {
      // For this worker's own waiters; announced to the others already.
      notices.orchestrationWorkSent(instanceId);
    }
  }

  /** The tasks locked for this worker as work items, matched to their ids by task id. */
  private List<ActivityWorkItem> lockedItems(long token, List<Long> ids) {
    List<ActivityTask> byTaskId =
        lockedForSelf.stream().sorted(Comparator.comparingInt(ActivityTask::taskId)).toList();
    if (ids.size() != byTaskId.size()) {
      throw new IllegalStateException(
          "inserted " + byTaskId.size() + " tasks locked for this worker but found " + ids.size());
    }
    List<ActivityWorkItem> items = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      items.add(new ActivityWorkItem(ids.get(i), byTaskId.get(i), 0, token));
    }
    return items;
  }

  @Override
  public void instanceChanged(String instanceId, OrchestrationStatus status) {
    notices.instanceChanged(instanceId, status, othersNeedToHear(instanceId, status));
  }

  @Override
  public void instanceChanged(InstanceRecord row) {
    notices.instanceChanged(Rows.asStored(row), othersNeedToHear(row.instanceId(), row.status()));
  }

  /**
   * Whether other workers must hear of a change to an instance row: their clients wait for a status
   * (started, finished), never for any other change, and never for an instance that did not exist
   * (they would have been told it does not). Each notice costs: PostgreSQL commits transactions
   * that notify one at a time, and every listening worker is woken.
   */
  private boolean othersNeedToHear(String instanceId, OrchestrationStatus status) {
    if (status == null) {
      return true; // purged, or not known: a waiter reads the row
    }
    if (inserted.contains(instanceId)) {
      return false;
    }
    return statusWhenLocked.get(instanceId) != status;
  }

  // ---- plumbing ----

  /** Runs a statement whose answer the rules need, after the queued writes. */
  private <T> T answer(Sql<T> call) {
    flush();
    try {
      return call.run();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private void flush() {
    if (!pending.isEmpty()) {
      run(() -> pending.execute(db));
      pending = new SqlBatch();
    }
  }

  private interface SqlRun {
    void run() throws SQLException;
  }

  private static void run(SqlRun call) {
    try {
      call.run();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Carries a SQL failure through the rules to {@link Database}, which retries the transaction or
   * reports it.
   */
  private static SqlFailure failure(SQLException e) {
    return new SqlFailure(e);
  }

  /** A {@link SQLException} on its way out of the rules, which throw no checked exceptions. */
  static final class SqlFailure extends FermataException {
    SqlFailure(SQLException cause) {
      super(cause.getMessage(), cause);
    }

    SQLException sqlException() {
      return (SQLException) getCause();
    }
  }
}
