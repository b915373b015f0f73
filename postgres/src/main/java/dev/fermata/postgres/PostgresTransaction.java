package dev.fermata.postgres;

import dev.fermata.FermataException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.FilterSql;
import dev.fermata.jdbc.Rows;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.HistoryCodec;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.StoreTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
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
  record Context(InstantSource clock, Leases leases, String channel, String workerId) {}

  /** A database call of this transaction. */
  private interface Sql<T> {
    T run() throws SQLException;
  }

  private final Connection db;
  private final Context store;
  private final Notices notices = new Notices();
  private final Set<String> unlockedByUpdate = new HashSet<>();
  private SqlBatch pending = new SqlBatch();

  PostgresTransaction(Connection db, Context store) {
    this.db = db;
    this.store = store;
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
    return answer(() -> Tables.lockRow(db, instanceId, true).map(Tables.LockedRow::status));
  }

  @Override
  public boolean insertInstance(InstanceRecord row) {
    return answer(() -> Tables.insertInstance(db, row));
  }

  @Override
  public void replaceInstance(InstanceRecord row) {
    Tables.updateInstance(pending, row, null, true);
  }

  @Override
  public OptionalInt lockForCheckpoint(String instanceId, long lockToken) {
    Optional<Tables.CheckpointRow> locked = answer(() -> Tables.lockForCheckpoint(db, instanceId));
    if (locked.isEmpty()
        || locked.get().row().lockedBy() == null
        || locked.get().row().lockToken() != lockToken) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(locked.get().historySize());
  }

  /** Also releases the instance's lock: the row's lock columns are written with it. */
  @Override
  public void updateInstance(InstanceRecord row) {
    Tables.updateInstance(pending, row, null, false);
    unlockedByUpdate.add(row.instanceId());
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
    notices.orchestrationWork(); // a future message wakes waiters too: they re-plan their sleep
  }

  @Override
  public boolean insertMessageIfInstanceExists(NewMessage message, Instant visibleAt) {
    boolean inserted = answer(() -> Tables.insertMessageIfInstanceExists(db, message, visibleAt));
    if (inserted) {
      notices.orchestrationWork();
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
      String instanceId, List<Long> messageIds, boolean deadLetter, Instant now) {
    if (deadLetter) {
      Tables.copyToDeadLetters(pending, instanceId, messageIds, now.toEpochMilli());
    }
    Tables.deleteMessages(pending, instanceId, messageIds);
  }

  @Override
  public List<Long> handedOut(String instanceId, long lockToken) {
    return store.leases().handedOut(instanceId, lockToken);
  }

  @Override
  public void uncountDeliveries(String instanceId, Collection<Long> messageIds) {
    Tables.uncountDeliveries(pending, instanceId, List.copyOf(messageIds));
  }

  // ---- activity tasks ----

  @Override
  public void insertTasks(List<ActivityTask> tasks) {
    Tables.insertTasks(pending, tasks);
    if (!tasks.isEmpty()) {
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
      String payload = Notices.orchestrationWorkPayload(store.workerId());
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
          notices.orchestrationWork();
          notices.sent(payload);
        }
        return true;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean releaseTask(ActivityWorkItem item) {
    boolean released = answer(() -> Tables.releaseTask(db, item.id(), item.lockToken()));
    if (released) {
      notices.activityWork();
    }
    return released;
  }

  // ---- instance locks and wake-ups ----

  @Override
  public void release(String instanceId, long lockToken, Duration delay) {
    Long holdUntil =
        delay == null || delay.isZero() || delay.isNegative()
            ? null
            : store.clock().millis() + delay.toMillis();
    if (answer(() -> Tables.releaseInstance(db, instanceId, lockToken, holdUntil))) {
      notices.orchestrationWork();
    }
  }

  /**
   * The checkpoint's row update released the lock already; what is left is to tell whether the
   * instance has more work, which is asked together with the queued writes and the notices (one
   * round trip for the whole checkpoint after its lock).
   */
  @Override
  public void releaseAfterCheckpoint(String instanceId, long lockToken, Instant now) {
    if (!unlockedByUpdate.contains(instanceId)) {
      release(instanceId, lockToken, null);
      return;
    }
    String payload = Notices.orchestrationWorkPayload(store.workerId());
    boolean visible =
        answer(
            () ->
                notices.sendEndingBatch(
                    pending,
                    db,
                    store.channel(),
                    store.workerId(),
                    instanceId,
                    now.toEpochMilli()));
    pending = new SqlBatch();
    if (visible) {
      notices.orchestrationWork(); // for this worker's own waiters; sent to the others already
      notices.sent(payload);
    }
  }

  @Override
  public void instanceChanged(String instanceId, OrchestrationStatus status) {
    notices.instanceChanged(instanceId, status);
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
