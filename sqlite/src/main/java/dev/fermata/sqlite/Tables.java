package dev.fermata.sqlite;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.FilterSql;
import dev.fermata.jdbc.Rows;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.HistoryCodec;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.StoreTransaction.InstancePart;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Single-table statements used by {@link SqliteTransaction}, and the scans the store's start-up
 * recovery makes; the rules live in {@link dev.fermata.spi.StoreRules}, and the reads shared with
 * the PostgreSQL store in {@link dev.fermata.jdbc.StoreReads}, not here.
 */
final class Tables {
  private Tables() {}

  static Optional<OrchestrationStatus> status(SqlConnection db, String instanceId)
      throws SQLException {
    PreparedStatement select = db.prepare("SELECT status FROM instances WHERE instance_id = ?");
    select.setString(1, instanceId);
    try (ResultSet row = select.executeQuery()) {
      return row.next() ? Optional.of(Rows.status(row.getString(1), instanceId)) : Optional.empty();
    }
  }

  /** Inserts or replaces every column of an instance row. */
  static void writeInstance(SqlConnection db, InstanceRecord r) throws SQLException {
    PreparedStatement upsert =
        db.prepare(
            "INSERT OR REPLACE INTO instances ("
                + Rows.NEW_INSTANCE_COLUMNS
                + ") VALUES ("
                + Rows.NEW_INSTANCE_VALUES
                + ")");
    Rows.bindNewInstance(upsert, 1, r);
    upsert.executeUpdate();
  }

  /** Inserts a new instance row; false if the id exists. */
  static boolean insertInstance(SqlConnection db, InstanceRecord r) throws SQLException {
    PreparedStatement insert =
        db.prepare(
            "INSERT INTO instances ("
                + Rows.NEW_INSTANCE_COLUMNS
                + ") VALUES ("
                + Rows.NEW_INSTANCE_VALUES
                + ") ON CONFLICT (instance_id) DO NOTHING");
    Rows.bindNewInstance(insert, 1, r);
    return insert.executeUpdate() == 1;
  }

  /**
   * Writes a checkpoint's instance row. An UPDATE of the columns an episode can change, rather than
   * the INSERT OR REPLACE of {@link #writeInstance}, which deletes and re-inserts the row and so
   * rewrites every index of the table at every checkpoint. Falls back to it if the row is gone.
   */
  static void updateInstance(SqlConnection db, InstanceRecord r) throws SQLException {
    PreparedStatement update =
        db.prepare(
            "UPDATE instances SET execution_id = ?, status = ?, input = ?, output = ?, failure = ?,"
                + " custom_status = ?, last_updated_at = ?, scheduled_start_at = ?,"
                + " completed_at = ? WHERE instance_id = ? AND name = ?");
    update.setString(1, r.executionId());
    update.setString(2, r.status().name());
    update.setString(3, r.input());
    update.setString(4, r.output());
    update.setString(5, HistoryCodec.encodeFailure(r.failure()));
    update.setString(6, r.customStatus());
    Rows.setInstant(update, 7, r.lastUpdatedAt());
    Rows.setInstant(update, 8, r.scheduledStartAt());
    Rows.setInstant(update, 9, r.completedAt());
    update.setString(10, r.instanceId());
    update.setString(11, r.name());
    if (update.executeUpdate() == 0) {
      writeInstance(db, r);
    }
  }

  static int historySize(SqlConnection db, String instanceId) throws SQLException {
    PreparedStatement select =
        db.prepare("SELECT COALESCE(MAX(seq) + 1, 0) FROM history WHERE instance_id = ?");
    select.setString(1, instanceId);
    try (ResultSet row = select.executeQuery()) {
      row.next();
      return row.getInt(1);
    }
  }

  static void appendHistory(
      SqlConnection db, String instanceId, int firstSeq, List<HistoryEvent> events, EventJson json)
      throws SQLException {
    PreparedStatement insert =
        db.prepare("INSERT INTO history (instance_id, seq, event_json) VALUES (?, ?, ?)");
    for (int i = 0; i < events.size(); i++) {
      insert.setString(1, instanceId);
      insert.setInt(2, firstSeq + i);
      insert.setString(3, json.of(events.get(i)));
      insert.executeUpdate();
    }
  }

  /** Inserts a task with {@code deliveryCount} deliveries counted; returns its id. */
  static long insertTask(SqlConnection db, ActivityTask task, int deliveryCount)
      throws SQLException {
    PreparedStatement insert =
        db.prepare(
            "INSERT INTO tasks (instance_id, execution_id, task_id, name, input, delivery_count,"
                + " trace_parent) VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.setString(1, task.instanceId());
    insert.setString(2, task.executionId());
    insert.setInt(3, task.taskId());
    insert.setString(4, task.name());
    insert.setString(5, task.input());
    insert.setInt(6, deliveryCount);
    insert.setString(7, task.traceParent());
    insert.executeUpdate();
    try (ResultSet row = db.prepare("SELECT last_insert_rowid()").executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  static boolean hasVisibleMessage(SqlConnection db, String instanceId, Instant now)
      throws SQLException {
    PreparedStatement select =
        db.prepare("SELECT 1 FROM inbox WHERE instance_id = ? AND visible_at <= ? LIMIT 1");
    select.setString(1, instanceId);
    select.setLong(2, now.toEpochMilli());
    try (ResultSet row = select.executeQuery()) {
      return row.next();
    }
  }

  /**
   * When the instance's first inbox message becomes visible, in epoch milliseconds (perhaps past);
   * empty if it has none at all.
   */
  static OptionalLong firstMessageVisibleAt(SqlConnection db, String instanceId)
      throws SQLException {
    PreparedStatement select =
        db.prepare("SELECT MIN(visible_at) FROM inbox WHERE instance_id = ?");
    select.setString(1, instanceId);
    try (ResultSet row = select.executeQuery()) {
      row.next();
      long millis = row.getLong(1);
      return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(millis);
    }
  }

  /** True if the instance has any inbox message, visible or not. */
  static boolean hasMessage(SqlConnection db, String instanceId) throws SQLException {
    PreparedStatement select = db.prepare("SELECT 1 FROM inbox WHERE instance_id = ? LIMIT 1");
    select.setString(1, instanceId);
    try (ResultSet row = select.executeQuery()) {
      return row.next();
    }
  }

  /** Deletes the given parts of an instance's data. */
  static void deleteRows(SqlConnection db, String instanceId, Set<InstancePart> parts)
      throws SQLException {
    for (InstancePart part : parts) {
      PreparedStatement delete =
          db.prepare("DELETE FROM " + Rows.table(part) + " WHERE instance_id = ?");
      delete.setString(1, instanceId);
      delete.executeUpdate();
    }
  }

  /** The ids of up to {@code limit} terminal instances matching {@code filter}. */
  static List<String> terminalInstanceIds(SqlConnection db, InstanceFilter filter, int limit)
      throws SQLException {
    FilterSql where = FilterSql.terminalOnly(SqliteDialect.INSTANCE, filter);
    PreparedStatement select =
        db.prepare("SELECT instance_id FROM instances WHERE " + where.where() + " LIMIT ?");
    select.setInt(where.bind(select), limit);
    List<String> ids = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    return ids;
  }

  static boolean instanceExists(SqlConnection db, String instanceId) throws SQLException {
    PreparedStatement select = db.prepare("SELECT 1 FROM instances WHERE instance_id = ?");
    select.setString(1, instanceId);
    try (ResultSet row = select.executeQuery()) {
      return row.next();
    }
  }

  /** Inserts a message; returns its id. */
  static long insertMessage(SqlConnection db, NewMessage message, Instant visibleAt, EventJson json)
      throws SQLException {
    PreparedStatement insert =
        db.prepare(
            "INSERT INTO inbox (instance_id, execution_id, visible_at, event_json)"
                + " VALUES (?, ?, ?, ?) RETURNING id");
    insert.setString(1, message.instanceId());
    insert.setString(2, message.executionId());
    insert.setLong(3, visibleAt.toEpochMilli());
    insert.setString(4, json.of(message.event()));
    try (ResultSet row = insert.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  static void deleteMessage(SqlConnection db, String instanceId, long messageId)
      throws SQLException {
    PreparedStatement delete = db.prepare("DELETE FROM inbox WHERE id = ? AND instance_id = ?");
    delete.setLong(1, messageId);
    delete.setString(2, instanceId);
    delete.executeUpdate();
  }

  static void copyToDeadLetters(
      SqlConnection db, String instanceId, long messageId, String reason, Instant now)
      throws SQLException {
    PreparedStatement copy =
        db.prepare(
            "INSERT INTO dead_letters (kind, source_id, instance_id, execution_id, visible_at,"
                + " event_json, delivery_count, dead_lettered_at, reason) SELECT 'message', id,"
                + " instance_id, execution_id, visible_at, event_json, delivery_count, ?, ?"
                + " FROM inbox WHERE id = ? AND instance_id = ?");
    copy.setLong(1, now.toEpochMilli());
    copy.setString(2, reason);
    copy.setLong(3, messageId);
    copy.setString(4, instanceId);
    copy.executeUpdate();
  }

  /** Stores a dead letter under a new id; {@code eventJson} is its event's stored form. */
  static void insertDeadLetter(SqlConnection db, DeadLetter letter, String eventJson)
      throws SQLException {
    PreparedStatement insert =
        db.prepare(
            "INSERT INTO dead_letters (kind, source_id, instance_id, execution_id, visible_at,"
                + " event_json, delivery_count, dead_lettered_at, reason)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.setString(1, letter.kind().label());
    insert.setLong(2, letter.sourceId());
    insert.setString(3, letter.instanceId());
    insert.setString(4, letter.executionId());
    insert.setLong(5, letter.deadLetteredAt().toEpochMilli());
    insert.setString(6, eventJson);
    insert.setInt(7, letter.deliveryCount());
    insert.setLong(8, letter.deadLetteredAt().toEpochMilli());
    insert.setString(9, letter.reason());
    insert.executeUpdate();
  }

  static void deleteDeadLetter(SqlConnection db, long deadLetterId) throws SQLException {
    PreparedStatement delete = db.prepare("DELETE FROM dead_letters WHERE id = ?");
    delete.setLong(1, deadLetterId);
    delete.executeUpdate();
  }

  /** Adds {@code delta} to a row's delivery count ({@code table} is "inbox" or "tasks"). */
  static void changeDeliveryCount(SqlConnection db, String table, long id, int delta)
      throws SQLException {
    PreparedStatement update =
        db.prepare(
            "UPDATE "
                + table
                + " SET delivery_count = delivery_count + ? WHERE id = ?"
                + " AND delivery_count + ? >= 0");
    update.setInt(1, delta);
    update.setLong(2, id);
    update.setInt(3, delta);
    update.executeUpdate();
  }

  /** Deletes a task; false if it was not there (purged, or completed already). */
  static boolean deleteTask(SqlConnection db, long taskId) throws SQLException {
    PreparedStatement delete = db.prepare("DELETE FROM tasks WHERE id = ?");
    delete.setLong(1, taskId);
    return delete.executeUpdate() > 0;
  }

  // ---- recovery at start: ids and times only, so a corrupt payload cannot stop it ----

  /** Every (instance, visible_at) with inbox messages, each pair once. */
  static void forEachInboxTime(SqlConnection db, BiConsumer<String, Instant> action)
      throws SQLException {
    PreparedStatement select =
        db.prepare("SELECT DISTINCT instance_id, visible_at FROM inbox ORDER BY visible_at");
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        action.accept(rows.getString(1), Instant.ofEpochMilli(rows.getLong(2)));
      }
    }
  }

  /** True if any activity task is stored: scheduled and not yet answered. */
  static boolean anyTask(SqlConnection db) throws SQLException {
    try (ResultSet rows = db.prepare("SELECT 1 FROM tasks LIMIT 1").executeQuery()) {
      return rows.next();
    }
  }

  static void forEachTaskId(SqlConnection db, Consumer<Long> action) throws SQLException {
    try (ResultSet rows = db.prepare("SELECT id FROM tasks ORDER BY id").executeQuery()) {
      while (rows.next()) {
        action.accept(rows.getLong(1));
      }
    }
  }
}
