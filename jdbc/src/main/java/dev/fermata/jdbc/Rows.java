package dev.fermata.jdbc;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.CorruptRecordException;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.EntityRows;
import dev.fermata.spi.HistoryCodec;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.StoreTransaction.InstancePart;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/**
 * Turns rows of the SQL stores' tables into records and back; both stores' tables have the same
 * columns with the same meaning (times are epoch milliseconds, events {@link HistoryCodec} JSON). A
 * row that cannot be read raises {@link CorruptRecordException} naming its table, instance and key,
 * so an operator can find it.
 */
public final class Rows {
  /** The columns {@link #instance} reads and {@link #bindInstance} binds, in that order. */
  public static final String INSTANCE_COLUMNS =
      "instance_id, name, execution_id, status, input, output, failure, custom_status, created_at,"
          + " last_updated_at, scheduled_start_at, completed_at, parent_instance_id,"
          + " parent_execution_id, parent_task_id, version, trace_parent";

  /**
   * The columns a new instance row is written with: {@link #INSTANCE_COLUMNS} and its kind, as
   * {@link #bindNewInstance} binds them.
   */
  public static final String NEW_INSTANCE_COLUMNS = INSTANCE_COLUMNS + ", kind";

  /** One placeholder per column of {@link #NEW_INSTANCE_COLUMNS}. */
  public static final String NEW_INSTANCE_VALUES =
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

  /** The stored kind of an orchestration's row. */
  public static final String ORCHESTRATION_KIND = "orchestration";

  /** The stored kind of a durable entity's row (see {@link EntityRows}). */
  public static final String ENTITY_KIND = "entity";

  /** The columns {@link #inboxMessage} reads. */
  public static final String INBOX_COLUMNS =
      "id, instance_id, execution_id, visible_at, event_json, delivery_count";

  /** The columns {@link #taskRow} reads ({@link #task} reads a subset). */
  public static final String TASK_COLUMNS =
      "id, instance_id, execution_id, task_id, name, input, delivery_count, trace_parent";

  /** An activity task row with how often it was handed out. */
  /** The columns {@link #deadLetter} reads. */
  public static final String DEAD_LETTER_COLUMNS =
      "id, kind, source_id, instance_id, execution_id, event_json, delivery_count,"
          + " dead_lettered_at, reason";

  public record TaskRow(long id, ActivityTask task, int deliveryCount) {}

  private Rows() {}

  /** The table that holds a part of an instance's data (each has an {@code instance_id}). */
  public static String table(InstancePart part) {
    return switch (part) {
      case ROW -> "instances";
      case HISTORY -> "history";
      case INBOX -> "inbox";
      case TASKS -> "tasks";
      case DEAD_LETTERS -> "dead_letters";
    };
  }

  public static InstanceRecord instance(ResultSet row) throws SQLException {
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
          parent,
          row.getString("version"),
          row.getString("trace_parent"));
    } catch (CorruptRecordException e) {
      throw new CorruptRecordException(
          "instances row of instance '" + instanceId + "': " + e.getMessage(), e);
    }
  }

  /**
   * Binds the instance columns, in {@link #INSTANCE_COLUMNS} order, from {@code first}.
   *
   * @return the next free index
   */
  public static int bindInstance(PreparedStatement statement, int first, InstanceRecord r)
      throws SQLException {
    statement.setString(first, r.instanceId());
    return bindInstanceData(statement, first + 1, r);
  }

  /** Binds every column of {@link #NEW_INSTANCE_COLUMNS} from {@code first}; returns the next. */
  public static int bindNewInstance(PreparedStatement statement, int first, InstanceRecord r)
      throws SQLException {
    int next = bindInstance(statement, first, r);
    statement.setString(next, kind(r.instanceId()));
    return next + 1;
  }

  /** The kind a row with this id is stored as; an id says it once, when the row is written. */
  public static String kind(String instanceId) {
    return EntityRows.isEntityId(instanceId) ? ENTITY_KIND : ORCHESTRATION_KIND;
  }

  /**
   * Binds every instance column but {@code instance_id}, in {@link #INSTANCE_COLUMNS} order, from
   * {@code first} (for an UPDATE that sets them all).
   *
   * @return the next free index
   */
  public static int bindInstanceData(PreparedStatement statement, int first, InstanceRecord r)
      throws SQLException {
    int i = first;
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
      statement.setNull(i++, Types.INTEGER);
    } else {
      statement.setString(i++, r.parent().instanceId());
      statement.setString(i++, r.parent().executionId());
      statement.setInt(i++, r.parent().taskScheduledId());
    }
    statement.setString(i++, r.version());
    statement.setString(i++, r.traceParent());
    return i;
  }

  /** Parses a stored status, which is the enum constant's name. */
  public static OrchestrationStatus status(String text, String instanceId) {
    try {
      return OrchestrationStatus.valueOf(text);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CorruptRecordException(
          "instances row of instance '" + instanceId + "' has unknown status '" + text + "'", e);
    }
  }

  /** A history row's event (columns {@code seq} and {@code event_json}). */
  public static HistoryEvent historyEvent(ResultSet row, String instanceId) throws SQLException {
    int seq = row.getInt("seq");
    return decode(
        row.getString("event_json"),
        "history row (instance '" + instanceId + "', seq " + seq + ")");
  }

  /**
   * An inbox row ({@link #INBOX_COLUMNS}) as a message; {@code countedDeliveries} is subtracted
   * from the stored count (a hand-out that counts its own delivery before the episode runs passes
   * 1).
   */
  public static InboxMessage inboxMessage(ResultSet row, int countedDeliveries)
      throws SQLException {
    long id = row.getLong("id");
    String instanceId = row.getString("instance_id");
    HistoryEvent event =
        decode(
            row.getString("event_json"),
            "inbox row (id " + id + ", instance '" + instanceId + "')");
    return new InboxMessage(
        id,
        instanceId,
        row.getString("execution_id"),
        instant(row, "visible_at"),
        event,
        row.getInt("delivery_count") - countedDeliveries);
  }

  /**
   * A task row's task (columns {@code instance_id, execution_id, task_id, name, input,
   * trace_parent}).
   */
  public static ActivityTask task(ResultSet row) throws SQLException {
    return new ActivityTask(
        row.getString("instance_id"),
        row.getString("execution_id"),
        row.getInt("task_id"),
        row.getString("name"),
        row.getString("input"),
        row.getString("trace_parent"));
  }

  /** A task row ({@link #TASK_COLUMNS}) with its id and delivery count. */
  public static TaskRow taskRow(ResultSet row) throws SQLException {
    return new TaskRow(row.getLong("id"), task(row), row.getInt("delivery_count"));
  }

  /** A dead_letters row ({@link #DEAD_LETTER_COLUMNS}). */
  public static DeadLetter deadLetter(ResultSet row) throws SQLException {
    long id = row.getLong("id");
    String where = "dead_letters row (id " + id + ")";
    DeadLetter.Kind kind;
    try {
      kind = DeadLetter.Kind.ofLabel(row.getString("kind"));
    } catch (IllegalArgumentException e) {
      throw new CorruptRecordException(where + ": " + e.getMessage(), e);
    }
    return new DeadLetter(
        id,
        kind,
        row.getLong("source_id"),
        row.getString("instance_id"),
        row.getString("execution_id"),
        decode(row.getString("event_json"), where),
        row.getInt("delivery_count"),
        instant(row, "dead_lettered_at"),
        row.getString("reason"));
  }

  private static HistoryEvent decode(String json, String where) {
    try {
      return HistoryCodec.decode(json);
    } catch (CorruptRecordException e) {
      throw new CorruptRecordException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code r} as {@link #instance} would read it back once written: times to the millisecond, the
   * failure through its stored form. For instance-change listeners, which get the row without a
   * read.
   */
  public static InstanceRecord asStored(InstanceRecord r) {
    return r.toBuilder()
        .failure(
            r.failure() == null
                ? null
                : HistoryCodec.decodeFailure(HistoryCodec.encodeFailure(r.failure())))
        .createdAt(toMillis(r.createdAt()))
        .lastUpdatedAt(toMillis(r.lastUpdatedAt()))
        .scheduledStartAt(toMillis(r.scheduledStartAt()))
        .completedAt(toMillis(r.completedAt()))
        .build();
  }

  private static Instant toMillis(Instant instant) {
    return instant == null ? null : Instant.ofEpochMilli(instant.toEpochMilli());
  }

  // ---- times: epoch milliseconds ----

  public static Instant instant(ResultSet row, String column) throws SQLException {
    long millis = row.getLong(column);
    return row.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  public static void setInstant(PreparedStatement statement, int index, Instant instant)
      throws SQLException {
    if (instant == null) {
      statement.setNull(index, Types.BIGINT); // SQLite ignores the type; PostgreSQL wants bigint
    } else {
      statement.setLong(index, instant.toEpochMilli());
    }
  }

  /** The first whole millisecond at or after {@code instant} (for inclusive lower bounds). */
  public static long ceilMillis(Instant instant) {
    long floor = instant.toEpochMilli();
    return instant.getNano() % 1_000_000 == 0 ? floor : floor + 1;
  }
}
