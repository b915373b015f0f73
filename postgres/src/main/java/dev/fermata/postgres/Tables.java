package dev.fermata.postgres;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.Rows;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.HistoryCodec;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewMessage;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Single-table statements used by {@link PostgresTransaction}; the rules live in {@link
 * dev.fermata.spi.StoreRules}, not here.
 */
final class Tables {
  /** Every instance column but the id, in the order {@link Rows#bindInstanceData} binds them. */
  private static final String INSTANCE_SETTERS =
      "name = ?, execution_id = ?, status = ?, input = ?, output = ?, failure = ?,"
          + " custom_status = ?, created_at = ?, last_updated_at = ?, scheduled_start_at = ?,"
          + " completed_at = ?, parent_instance_id = ?, parent_execution_id = ?, parent_task_id = ?,"
          + " version = ?, trace_parent = ?";

  /** An instance row's status and lock, read under a row lock. */
  record LockedRow(OrchestrationStatus status, String lockedBy, long lockToken) {}

  /**
   * An instance row locked for a checkpoint, with its history's length and how many of the tasks it
   * fences are still held.
   */
  record CheckpointRow(LockedRow row, int historySize, int fencedTasksHeld) {}

  private Tables() {}

  /**
   * The instance's status, locking its row until the transaction ends: {@code FOR UPDATE} when the
   * row or its messages may be deleted, else {@code FOR NO KEY UPDATE}, which lets messages to the
   * instance be inserted meanwhile (their key-share lock does not conflict with it).
   */
  static Optional<LockedRow> lockRow(Connection db, String instanceId, boolean forDelete)
      throws SQLException {
    try (PreparedStatement select =
        db.prepareStatement(
            "SELECT status, locked_by, lock_token FROM instances WHERE instance_id = ?"
                + (forDelete ? " FOR UPDATE" : " FOR NO KEY UPDATE"))) {
      select.setString(1, instanceId);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? Optional.of(
                new LockedRow(
                    Rows.status(row.getString(1), instanceId), row.getString(2), row.getLong(3)))
            : Optional.empty();
      }
    }
  }

  /** The instance's status, keeping it from being purged until the transaction ends. */
  static Optional<OrchestrationStatus> shareStatus(Connection db, String instanceId)
      throws SQLException {
    try (PreparedStatement select =
        db.prepareStatement("SELECT status FROM instances WHERE instance_id = ? FOR SHARE")) {
      select.setString(1, instanceId);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? Optional.of(Rows.status(row.getString(1), instanceId))
            : Optional.empty();
      }
    }
  }

  /** Inserts a new instance row; false if the id was taken meanwhile. */
  static boolean insertInstance(Connection db, InstanceRecord r) throws SQLException {
    try (PreparedStatement insert =
        db.prepareStatement(
            "INSERT INTO instances ("
                + Rows.NEW_INSTANCE_COLUMNS
                + ") VALUES ("
                + Rows.NEW_INSTANCE_VALUES
                + ") ON CONFLICT (instance_id) DO NOTHING")) {
      Rows.bindNewInstance(insert, 1, r);
      return insert.executeUpdate() == 1;
    }
  }

  /**
   * Writes every column of an existing instance row and releases its lock; {@code holdUntil} keeps
   * it from being taken again before then (null: at once). A replaced instance also forgets its
   * lock token, so an old token can never match again.
   */
  static void updateInstance(
      SqlBatch batch, InstanceRecord r, Long holdUntil, boolean forgetToken) {
    batch.add(
        "UPDATE instances SET "
            + INSTANCE_SETTERS
            + ", locked_by = NULL, locked_until = ?"
            + (forgetToken ? ", lock_token = NULL" : "")
            + " WHERE instance_id = ?",
        (update, first) -> {
          int next = Rows.bindInstanceData(update, first, r);
          if (holdUntil == null) {
            update.setNull(next, Types.BIGINT);
          } else {
            update.setLong(next, holdUntil);
          }
          update.setString(next + 1, r.instanceId());
          return next + 2;
        });
  }

  /**
   * Writes every column but the lock token of an instance row this worker keeps locked between
   * episodes (see {@link LocalSteps}), extending its lease to {@code lockedUntil}.
   */
  static void updateKeptInstance(
      SqlBatch batch, InstanceRecord r, String workerId, long lockedUntil) {
    batch.add(
        "UPDATE instances SET "
            + INSTANCE_SETTERS
            + ", locked_by = ?, locked_until = ? WHERE instance_id = ?",
        (update, first) -> {
          int next = Rows.bindInstanceData(update, first, r);
          update.setString(next, workerId);
          update.setLong(next + 1, lockedUntil);
          update.setString(next + 2, r.instanceId());
          return next + 3;
        });
  }

  /** Releases an instance's lock if {@code token} still holds it; false if it does not. */
  static boolean releaseInstance(Connection db, String instanceId, long token, Long holdUntil)
      throws SQLException {
    try (PreparedStatement update =
        db.prepareStatement(
            "UPDATE instances SET locked_by = NULL, locked_until = ?"
                + " WHERE instance_id = ? AND lock_token = ? AND locked_by IS NOT NULL")) {
      if (holdUntil == null) {
        update.setNull(1, Types.BIGINT);
      } else {
        update.setLong(1, holdUntil);
      }
      update.setString(2, instanceId);
      update.setLong(3, token);
      return update.executeUpdate() == 1;
    }
  }

  /**
   * Like {@link #lockRow} ({@code FOR NO KEY UPDATE}), with the number of stored history events, in
   * one round trip; empty if there is no such instance. It also locks those of the tasks {@code
   * fencedTasks} that are still locked for {@code workerId} with {@code token}, and counts them:
   * tasks whose results the checkpoint records from memory, which must not have been taken over.
   */
  static Optional<CheckpointRow> lockForCheckpoint(
      Connection db, String instanceId, List<Long> fencedTasks, long token, String workerId)
      throws SQLException {
    try (PreparedStatement select =
        db.prepareStatement(
            "WITH fenced AS (SELECT id FROM tasks WHERE id = ANY (?) AND lock_token = ?"
                + " AND locked_by = ? FOR UPDATE)"
                + " SELECT status, locked_by, lock_token, (SELECT COALESCE(MAX(seq) + 1, 0)"
                + " FROM history WHERE instance_id = i.instance_id), (SELECT count(*) FROM fenced)"
                + " FROM instances i WHERE instance_id = ? FOR NO KEY UPDATE OF i")) {
      select.setArray(1, db.createArrayOf("bigint", fencedTasks.toArray()));
      select.setLong(2, token);
      select.setString(3, workerId);
      select.setString(4, instanceId);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? Optional.of(
                new CheckpointRow(
                    new LockedRow(
                        Rows.status(row.getString(1), instanceId),
                        row.getString(2),
                        row.getLong(3)),
                    row.getInt(4),
                    row.getInt(5)))
            : Optional.empty();
      }
    }
  }

  static void appendHistory(
      SqlBatch batch, String instanceId, int firstSeq, List<HistoryEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    batch.add(
        "INSERT INTO history (instance_id, seq, event_json)"
            + " SELECT ?, ? + (n - 1)::integer, e FROM unnest(?::text[]) WITH ORDINALITY AS t (e, n)",
        (insert, first) -> {
          insert.setString(first, instanceId);
          insert.setInt(first + 1, firstSeq);
          insert.setArray(
              first + 2,
              insert
                  .getConnection()
                  .createArrayOf(
                      "text", events.stream().map(HistoryCodec::encode).toArray(String[]::new)));
          return first + 3;
        });
  }

  static void insertTasks(SqlBatch batch, List<ActivityTask> tasks) {
    if (tasks.isEmpty()) {
      return;
    }
    batch.add(
        "INSERT INTO tasks (instance_id, execution_id, task_id, name, input, trace_parent)"
            + " SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::text[],"
            + " ?::text[])",
        (insert, first) -> bindTasks(insert, first, tasks));
  }

  /**
   * Inserts tasks locked for {@code workerId} with {@code token} until {@code lockedUntil}, their
   * first delivery counted (so that a crash counts), as if claimed at once.
   */
  static void insertLockedTasks(
      SqlBatch batch, List<ActivityTask> tasks, String workerId, long token, long lockedUntil) {
    if (tasks.isEmpty()) {
      return;
    }
    batch.add(
        "INSERT INTO tasks (instance_id, execution_id, task_id, name, input, trace_parent,"
            + " locked_by, locked_until, lock_token, delivery_count) SELECT t.*, ?, ?, ?, 1"
            + " FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::text[], ?::text[])"
            + " AS t",
        (insert, first) -> {
          insert.setString(first, workerId);
          insert.setLong(first + 1, lockedUntil);
          insert.setLong(first + 2, token);
          return bindTasks(insert, first + 3, tasks);
        });
  }

  private static int bindTasks(PreparedStatement insert, int first, List<ActivityTask> tasks)
      throws SQLException {
    Connection db = insert.getConnection();
    insert.setArray(first, column(db, "text", tasks, ActivityTask::instanceId));
    insert.setArray(first + 1, column(db, "text", tasks, ActivityTask::executionId));
    insert.setArray(first + 2, column(db, "integer", tasks, ActivityTask::taskId));
    insert.setArray(first + 3, column(db, "text", tasks, ActivityTask::name));
    insert.setArray(first + 4, column(db, "text", tasks, ActivityTask::input));
    insert.setArray(first + 5, column(db, "text", tasks, ActivityTask::traceParent));
    return first + 6;
  }

  /** Deletes tasks whose results a checkpoint records, if still locked with {@code token}. */
  static void deleteTasks(SqlBatch batch, List<Long> taskIds, long token) {
    if (taskIds.isEmpty()) {
      return;
    }
    batch.add(
        "DELETE FROM tasks WHERE id = ANY (?) AND lock_token = ?",
        (delete, first) -> {
          delete.setArray(first, delete.getConnection().createArrayOf("bigint", taskIds.toArray()));
          delete.setLong(first + 1, token);
          return first + 2;
        });
  }

  /**
   * Stores a dead letter under a new id; one for the same work (kind and source id) already there
   * is kept.
   */
  static void insertDeadLetter(SqlBatch batch, DeadLetter letter) {
    batch.add(
        "INSERT INTO dead_letters (kind, source_id, instance_id, execution_id, visible_at,"
            + " event_json, delivery_count, dead_lettered_at, reason)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, source_id) DO NOTHING",
        (insert, first) -> {
          insert.setString(first, letter.kind().label());
          insert.setLong(first + 1, letter.sourceId());
          insert.setString(first + 2, letter.instanceId());
          insert.setString(first + 3, letter.executionId());
          insert.setLong(first + 4, letter.deadLetteredAt().toEpochMilli());
          insert.setString(first + 5, HistoryCodec.encode(letter.event()));
          insert.setInt(first + 6, letter.deliveryCount());
          insert.setLong(first + 7, letter.deadLetteredAt().toEpochMilli());
          insert.setString(first + 8, letter.reason());
          return first + 9;
        });
  }

  /** The dead letter with this id, its row locked; empty if there is none. */
  static Optional<DeadLetter> lockDeadLetter(Connection db, long deadLetterId) throws SQLException {
    try (PreparedStatement select =
        db.prepareStatement(
            "SELECT " + Rows.DEAD_LETTER_COLUMNS + " FROM dead_letters WHERE id = ? FOR UPDATE")) {
      select.setLong(1, deadLetterId);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(Rows.deadLetter(row)) : Optional.empty();
      }
    }
  }

  static void deleteDeadLetter(SqlBatch batch, long deadLetterId) {
    batch.add(
        "DELETE FROM dead_letters WHERE id = ?",
        (delete, first) -> {
          delete.setLong(first, deadLetterId);
          return first + 1;
        });
  }

  /** One column of {@code rows} as an SQL array, for {@code unnest}. */
  private static <T> Array column(Connection db, String type, List<T> rows, Function<T, ?> value)
      throws SQLException {
    return db.createArrayOf(type, rows.stream().map(value).toArray());
  }

  /** True if the instance (first parameter) has a message visible at the time (second). */
  static final String HAS_VISIBLE_MESSAGE =
      "EXISTS (SELECT 1 FROM inbox WHERE instance_id = ? AND visible_at <= ?)";

  static boolean hasVisibleMessage(Connection db, String instanceId, long nowMillis)
      throws SQLException {
    try (PreparedStatement select = db.prepareStatement("SELECT " + HAS_VISIBLE_MESSAGE)) {
      select.setString(1, instanceId);
      select.setLong(2, nowMillis);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  /** Deletes an instance's rows from each table; the names are this class's callers' constants. */
  static void deleteRows(SqlBatch batch, String instanceId, String... tables) {
    for (String table : tables) {
      batch.add(
          "DELETE FROM " + table + " WHERE instance_id = ?",
          (delete, first) -> {
            delete.setString(first, instanceId);
            return first + 1;
          });
    }
  }

  /**
   * Adds a message to an instance's inbox if the instance exists, in one statement that takes only
   * a key-share lock on the instance, which does not conflict with updates of the row (a checkpoint
   * may send to an instance whose own checkpoint sends back).
   *
   * @return false if there is no such instance (the message is dropped)
   */
  static boolean insertMessageIfInstanceExists(Connection db, NewMessage message, Instant visibleAt)
      throws SQLException {
    try (PreparedStatement insert =
        db.prepareStatement(
            "INSERT INTO inbox (instance_id, execution_id, visible_at, event_json)"
                + " SELECT ?, ?, ?, ? WHERE EXISTS"
                // KEY SHARE: a purge deleting the row (FOR UPDATE) waits for this message, or this
                // insert waits for the purge and then finds no row; never a message to a ghost.
                + " (SELECT 1 FROM instances WHERE instance_id = ? FOR KEY SHARE)")) {
      insert.setString(1, message.instanceId());
      insert.setString(2, message.executionId());
      insert.setLong(3, visibleAt.toEpochMilli());
      insert.setString(4, HistoryCodec.encode(message.event()));
      insert.setString(5, message.instanceId());
      return insert.executeUpdate() == 1;
    }
  }

  /** Adds a message to an instance this transaction created or holds locked. */
  /** The lock token and start message id of an instance created locked for its creator. */
  record LockedStart(long lockToken, long messageId) {}

  /**
   * Locks an instance just inserted for {@code workerId} and inserts its start message with its
   * delivery counted, as a claim would do; one round trip.
   */
  static LockedStart lockNewInstance(
      Connection db, NewMessage start, Instant visibleAt, String workerId, long lockedUntil)
      throws SQLException {
    try (PreparedStatement lock =
        db.prepareStatement(
            "WITH locked AS (UPDATE instances SET locked_by = ?, locked_until = ?,"
                + " lock_token = nextval('lock_tokens') WHERE instance_id = ?"
                + " RETURNING lock_token), message AS (INSERT INTO inbox (instance_id,"
                + " execution_id, visible_at, event_json, delivery_count)"
                + " VALUES (?, ?, ?, ?, 1) RETURNING id)"
                + " SELECT (SELECT lock_token FROM locked), (SELECT id FROM message)")) {
      lock.setString(1, workerId);
      lock.setLong(2, lockedUntil);
      lock.setString(3, start.instanceId());
      lock.setString(4, start.instanceId());
      lock.setString(5, start.executionId());
      lock.setLong(6, visibleAt.toEpochMilli());
      lock.setString(7, HistoryCodec.encode(start.event()));
      try (ResultSet row = lock.executeQuery()) {
        row.next();
        return new LockedStart(row.getLong(1), row.getLong(2));
      }
    }
  }

  static void insertMessage(SqlBatch batch, NewMessage message, Instant visibleAt) {
    batch.add(
        "INSERT INTO inbox (instance_id, execution_id, visible_at, event_json) VALUES (?, ?, ?, ?)",
        (insert, first) -> {
          insert.setString(first, message.instanceId());
          insert.setString(first + 1, message.executionId());
          insert.setLong(first + 2, visibleAt.toEpochMilli());
          insert.setString(first + 3, HistoryCodec.encode(message.event()));
          return first + 4;
        });
  }

  static void deleteMessages(SqlBatch batch, String instanceId, List<Long> messageIds) {
    if (messageIds.isEmpty()) {
      return;
    }
    batch.add(
        "DELETE FROM inbox WHERE instance_id = ? AND id = ANY (?)",
        (delete, first) -> bindIdAndMessages(delete, first, instanceId, messageIds));
  }

  static void copyToDeadLetters(
      SqlBatch batch, String instanceId, List<Long> messageIds, String reason, long nowMillis) {
    if (messageIds.isEmpty()) {
      return;
    }
    batch.add(
        "INSERT INTO dead_letters (kind, source_id, instance_id, execution_id, visible_at,"
            + " event_json, delivery_count, dead_lettered_at, reason) SELECT 'message', id,"
            + " instance_id, execution_id, visible_at, event_json, delivery_count, ?, ? FROM inbox"
            + " WHERE instance_id = ? AND id = ANY (?) ON CONFLICT (kind, source_id) DO NOTHING",
        (copy, first) -> {
          copy.setLong(first, nowMillis);
          copy.setString(first + 1, reason);
          return bindIdAndMessages(copy, first + 2, instanceId, messageIds);
        });
  }

  /** Takes back the delivery counted at hand-out for messages an episode left in the inbox. */
  static void uncountDeliveries(SqlBatch batch, String instanceId, List<Long> messageIds) {
    if (messageIds.isEmpty()) {
      return;
    }
    batch.add(
        "UPDATE inbox SET delivery_count = delivery_count - 1"
            + " WHERE instance_id = ? AND id = ANY (?) AND delivery_count > 0",
        (update, first) -> bindIdAndMessages(update, first, instanceId, messageIds));
  }

  private static int bindIdAndMessages(
      PreparedStatement statement, int first, String instanceId, List<Long> messageIds)
      throws SQLException {
    statement.setString(first, instanceId);
    statement.setArray(
        first + 1, statement.getConnection().createArrayOf("bigint", messageIds.toArray()));
    return first + 2;
  }

  /**
   * Releases a task's lock if {@code token} still holds it, taking back the delivery counted when
   * it was claimed if {@code uncount}.
   */
  static boolean releaseTask(Connection db, long taskId, long token, boolean uncount)
      throws SQLException {
    try (PreparedStatement update =
        db.prepareStatement(
            "UPDATE tasks SET locked_by = NULL, locked_until = NULL, delivery_count ="
                + " CASE WHEN ? AND delivery_count > 0 THEN delivery_count - 1"
                + " ELSE delivery_count END"
                + " WHERE id = ? AND lock_token = ? AND locked_by IS NOT NULL")) {
      update.setBoolean(1, uncount);
      update.setLong(2, taskId);
      update.setLong(3, token);
      return update.executeUpdate() == 1;
    }
  }
}
