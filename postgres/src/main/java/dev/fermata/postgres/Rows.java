package dev.fermata.postgres;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.CorruptRecordException;
import dev.fermata.spi.HistoryCodec;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/**
 * Turns rows into records and back. A row that cannot be read raises {@link CorruptRecordException}
 * naming its table, instance and key, so an operator can find it.
 */
final class Rows {
  static final String INSTANCE_COLUMNS =
      "instance_id, name, execution_id, status, input, output, failure, custom_status, created_at,"
          + " last_updated_at, scheduled_start_at, completed_at, parent_instance_id,"
          + " parent_execution_id, parent_task_id";
  static final String INBOX_COLUMNS =
      "id, instance_id, execution_id, visible_at, event_json, delivery_count";
  static final String TASK_COLUMNS =
      "id, instance_id, execution_id, task_id, name, input, delivery_count, lock_token";

  private Rows() {}

  static InstanceRecord instance(ResultSet row) throws SQLException {
    String instanceId = row.getString("instance_id");
    String parentId = row.getString("parent_instance_id");
    ParentInstance parent =
        parentId == null
            ? null
            : new ParentInstance(
                parentId, row.getString("parent_execution_id"), row.getInt("parent_task_id"));
    try {
      return new InstanceRecord(
          instanceId,
          row.getString("name"),
          row.getString("execution_id"),
          status(row.getString("status"), instanceId),
          row.getString("input"),
          row.getString("output"),
          HistoryCodec.decodeFailure(row.getString("failure")),
          row.getString("custom_status"),
          instant(row, "created_at"),
          instant(row, "last_updated_at"),
          instant(row, "scheduled_start_at"),
          instant(row, "completed_at"),
          parent);
    } catch (CorruptRecordException e) {
      throw new CorruptRecordException(
          "instances row of instance '" + instanceId + "': " + e.getMessage(), e);
    }
  }

  /** Binds the instance columns, in {@link #INSTANCE_COLUMNS} order, from {@code first}. */
  static void bindInstance(PreparedStatement statement, int first, InstanceRecord r)
      throws SQLException {
    int i = first;
    statement.setString(i++, r.instanceId());
    statement.setString(i++, r.name());
    statement.setString(i++, r.executionId());
    statement.setString(i++, r.status().name());
    statement.setString(i++, r.input());
    statement.setString(i++, r.output());
    statement.setString(i++, HistoryCodec.encodeFailure(r.failure()));
    statement.setString(i++, r.customStatus());
    setInstant(statement, i++, r.createdAt());
    setInstant(statement, i++, r.lastUpdatedAt());
    setInstant(statement, i++, r.scheduledStartAt());
    setInstant(statement, i++, r.completedAt());
    if (r.parent() == null) {
      statement.setNull(i++, Types.VARCHAR);
      statement.setNull(i++, Types.VARCHAR);
      statement.setNull(i, Types.INTEGER);
    } else {
      statement.setString(i++, r.parent().instanceId());
      statement.setString(i++, r.parent().executionId());
      statement.setInt(i, r.parent().taskScheduledId());
    }
  }

  /** Parses a stored status, which is the enum constant's name. */
  static OrchestrationStatus status(String text, String instanceId) {
    try {
      return OrchestrationStatus.valueOf(text);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CorruptRecordException(
          "instances row of instance '" + instanceId + "' has unknown status '" + text + "'", e);
    }
  }

  static HistoryEvent historyEvent(ResultSet row, String instanceId) throws SQLException {
    int seq = row.getInt("seq");
    return decode(
        row.getString("event_json"),
        "history row (instance '" + instanceId + "', seq " + seq + ")");
  }

  /**
   * An inbox row as a message; {@code countedDeliveries} is subtracted from the stored count (a
   * hand-out counts its own delivery before the episode runs).
   */
  static InboxMessage inboxMessage(ResultSet row, int countedDeliveries) throws SQLException {
    long id = row.getLong("id");
    String instanceId = row.getString("instance_id");
    return new InboxMessage(
        id,
        instanceId,
        row.getString("execution_id"),
        Instant.ofEpochMilli(row.getLong("visible_at")),
        decode(row.getString("event_json"), "inbox row " + id + " (instance '" + instanceId + "')"),
        row.getInt("delivery_count") - countedDeliveries);
  }

  static ActivityTask task(ResultSet row) throws SQLException {
    return new ActivityTask(
        row.getString("instance_id"),
        row.getString("execution_id"),
        row.getInt("task_id"),
        row.getString("name"),
        row.getString("input"));
  }

  private static HistoryEvent decode(String json, String where) {
    try {
      return HistoryCodec.decode(json);
    } catch (CorruptRecordException e) {
      throw new CorruptRecordException(where + ": " + e.getMessage(), e);
    }
  }

  // ---- times: epoch milliseconds ----

  static Instant instant(ResultSet row, String column) throws SQLException {
    long millis = row.getLong(column);
    return row.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  static void setInstant(PreparedStatement statement, int index, Instant instant)
      throws SQLException {
    if (instant == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, instant.toEpochMilli());
    }
  }

  /** The first whole millisecond at or after {@code instant} (for inclusive lower bounds). */
  static long ceilMillis(Instant instant) {
    long floor = instant.toEpochMilli();
    return instant.getNano() % 1_000_000 == 0 ? floor : floor + 1;
  }
}
