package dev.fermata.postgres;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.HistoryCodec;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Single-table statements used by {@link StoreWrites}; the rules live there, not here. */
final class Tables {
  private static final String INSTANCE_SETTERS =
      "name = ?, execution_id = ?, status = ?, input = ?, output = ?, failure = ?,"
          + " custom_status = ?, created_at = ?, last_updated_at = ?, scheduled_start_at = ?,"
          + " completed_at = ?, parent_instance_id = ?, parent_execution_id = ?, parent_task_id = ?";

  /** An instance row's status and lock, read under a row lock. */
  record LockedRow(OrchestrationStatus status, String lockedBy, long lockToken) {}

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
                + Rows.INSTANCE_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (instance_id) DO NOTHING")) {
      Rows.bindInstance(insert, 1, r);
      return insert.executeUpdate() == 1;
    }
  }

  /**
   * Writes every column of an existing instance row and releases its lock; {@code holdUntil} keeps
   * it from being taken again before then (null: at once). A replaced instance also forgets its
   * lock token, so an old token can never match again.
   */
  static void updateInstance(Connection db, InstanceRecord r, Long holdUntil, boolean forgetToken)
      throws SQLException {
    try (PreparedStatement update =
        db.prepareStatement(
            "UPDATE instances SET "
                + INSTANCE_SETTERS
                + ", locked_by = NULL, locked_until = ?"
                + (forgetToken ? ", lock_token = NULL" : "")
                + " WHERE instance_id = ?")) {
      bindWithoutId(update, r);
      if (holdUntil == null) {
        update.setNull(15, Types.BIGINT);
      } else {
        update.setLong(15, holdUntil);
      }
      update.setString(16, r.instanceId());
      update.executeUpdate();
    }
  }

  private static void bindWithoutId(PreparedStatement update, InstanceRecord r)
      throws SQLException {
    int i = 1;
    update.setString(i++, r.name());
    update.setString(i++, r.executionId());
    update.setString(i++, r.status().name());
    update.setString(i++, r.input());
    update.setString(i++, r.output());
    update.setString(i++, HistoryCodec.encodeFailure(r.failure()));
    update.setString(i++, r.customStatus());
    Rows.setInstant(update, i++, r.createdAt());
    Rows.setInstant(update, i++, r.lastUpdatedAt());
    Rows.setInstant(update, i++, r.scheduledStartAt());
    Rows.setInstant(update, i++, r.completedAt());
    if (r.parent() == null) {
      update.setNull(i++, Types.VARCHAR);
      update.setNull(i++, Types.VARCHAR);
      update.setNull(i, Types.INTEGER);
    } else {
      update.setString(i++, r.parent().instanceId());
      update.setString(i++, r.parent().executionId());
      update.setInt(i, r.parent().taskScheduledId());
    }
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

  static int historySize(Connection db, String instanceId) throws SQLException {
    try (PreparedStatement select =
        db.prepareStatement(
            "SELECT COALESCE(MAX(seq) + 1, 0) FROM history WHERE instance_id = ?")) {
      select.setString(1, instanceId);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  static void appendHistory(
      Connection db, String instanceId, int firstSeq, List<HistoryEvent> events)
      throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    try (PreparedStatement insert =
        db.prepareStatement(
            "INSERT INTO history (instance_id, seq, event_json) VALUES (?, ?, ?)")) {
      for (int i = 0; i < events.size(); i++) {
        insert.setString(1, instanceId);
        insert.setInt(2, firstSeq + i);
        insert.setString(3, HistoryCodec.encode(events.get(i)));
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  static void insertTasks(Connection db, List<ActivityTask> tasks) throws SQLException {
    if (tasks.isEmpty()) {
      return;
    }
    try (PreparedStatement insert =
        db.prepareStatement(
            "INSERT INTO tasks (instance_id, execution_id, task_id, name, input)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      for (ActivityTask task : tasks) {
        insert.setString(1, task.instanceId());
        insert.setString(2, task.executionId());
        insert.setInt(3, task.taskId());
        insert.setString(4, task.name());
        insert.setString(5, task.input());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  static boolean hasVisibleMessage(Connection db, String instanceId, long nowMillis)
      throws SQLException {
    try (PreparedStatement select =
        db.prepareStatement(
            "SELECT 1 FROM inbox WHERE instance_id = ? AND visible_at <= ? LIMIT 1")) {
      select.setString(1, instanceId);
      select.setLong(2, nowMillis);
      try (ResultSet row = select.executeQuery()) {
        return row.next();
      }
    }
  }

  /** Deletes an instance's rows from each table; the names are this class's callers' constants. */
  static void deleteRows(Connection db, String instanceId, String... tables) throws SQLException {
    for (String table : tables) {
      try (PreparedStatement delete =
          db.prepareStatement("DELETE FROM " + table + " WHERE instance_id = ?")) {
        delete.setString(1, instanceId);
        delete.executeUpdate();
      }
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

  static void deleteMessages(Connection db, String instanceId, List<Long> messageIds)
      throws SQLException {
    if (messageIds.isEmpty()) {
      return;
    }
    try (PreparedStatement delete =
        db.prepareStatement("DELETE FROM inbox WHERE instance_id = ? AND id = ANY (?)")) {
      delete.setString(1, instanceId);
      delete.setArray(2, db.createArrayOf("bigint", messageIds.toArray()));
      delete.executeUpdate();
    }
  }

  static void copyToDeadLetters(
      Connection db, String instanceId, List<Long> messageIds, long nowMillis) throws SQLException {
    if (messageIds.isEmpty()) {
      return;
    }
    try (PreparedStatement copy =
        db.prepareStatement(
            "INSERT INTO dead_letters (id, instance_id, execution_id, visible_at, event_json,"
                + " delivery_count, dead_lettered_at) SELECT id, instance_id, execution_id,"
                + " visible_at, event_json, delivery_count, ? FROM inbox"
                + " WHERE instance_id = ? AND id = ANY (?) ON CONFLICT (id) DO NOTHING")) {
      copy.setLong(1, nowMillis);
      copy.setString(2, instanceId);
      copy.setArray(3, db.createArrayOf("bigint", messageIds.toArray()));
      copy.executeUpdate();
    }
  }

  /** Takes back the delivery counted at hand-out for messages an episode left in the inbox. */
  static void uncountDeliveries(Connection db, String instanceId, List<Long> messageIds)
      throws SQLException {
    if (messageIds.isEmpty()) {
      return;
    }
    try (PreparedStatement update =
        db.prepareStatement(
            "UPDATE inbox SET delivery_count = delivery_count - 1"
                + " WHERE instance_id = ? AND id = ANY (?) AND delivery_count > 0")) {
      update.setString(1, instanceId);
      update.setArray(2, db.createArrayOf("bigint", messageIds.toArray()));
      update.executeUpdate();
    }
  }

  /** Deletes a task if {@code token} still holds it; false if it does not (or it is gone). */
  static boolean deleteLockedTask(Connection db, long taskId, long token) throws SQLException {
    try (PreparedStatement delete =
        db.prepareStatement(
            "DELETE FROM tasks WHERE id = ? AND lock_token = ? AND locked_by IS NOT NULL")) {
      delete.setLong(1, taskId);
      delete.setLong(2, token);
      return delete.executeUpdate() == 1;
    }
  }

  /** Releases a task's lock if {@code token} still holds it. */
  static boolean releaseTask(Connection db, long taskId, long token) throws SQLException {
    try (PreparedStatement update =
        db.prepareStatement(
            "UPDATE tasks SET locked_by = NULL, locked_until = NULL"
                + " WHERE id = ? AND lock_token = ? AND locked_by IS NOT NULL")) {
      update.setLong(1, taskId);
      update.setLong(2, token);
      return update.executeUpdate() == 1;
    }
  }
}
