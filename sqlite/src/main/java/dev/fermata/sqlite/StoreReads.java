package dev.fermata.sqlite;

import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.FilterSql;
import dev.fermata.jdbc.Rows;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.PageToken;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** The store's queries, each run on a connection it is given (a reader's, or the writer's). */
final class StoreReads {
  /** Tags this store's continuation tokens (see {@link PageToken}). */
  static final String PAGE_TOKEN_TAG = "s1";

  private StoreReads() {}

  static Optional<InstanceRecord> instance(SqlConnection db, String instanceId)
      throws SQLException {
    PreparedStatement select =
        db.prepare("SELECT " + Rows.INSTANCE_COLUMNS + " FROM instances WHERE instance_id = ?");
    select.setString(1, instanceId);
    try (ResultSet row = select.executeQuery()) {
      return row.next() ? Optional.of(Rows.instance(row)) : Optional.empty();
    }
  }

  static List<HistoryEvent> history(SqlConnection db, String instanceId) throws SQLException {
    PreparedStatement select =
        db.prepare("SELECT seq, event_json FROM history WHERE instance_id = ? ORDER BY seq");
    select.setString(1, instanceId);
    List<HistoryEvent> events = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        events.add(Rows.historyEvent(rows, instanceId));
      }
    }
    return events;
  }

  /** The instance's messages visible at {@code now}, in arrival order. */
  static List<InboxMessage> visibleMessages(SqlConnection db, String instanceId, Instant now)
      throws SQLException {
    PreparedStatement select =
        db.prepare(
            "SELECT "
                + Rows.INBOX_COLUMNS
                + " FROM inbox WHERE instance_id = ? AND visible_at <= ? ORDER BY id");
    select.setString(1, instanceId);
    select.setLong(2, now.toEpochMilli());
    List<InboxMessage> messages = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        messages.add(Rows.inboxMessage(rows, 0));
      }
    }
    return messages;
  }

  static Optional<Rows.TaskRow> task(SqlConnection db, long taskId) throws SQLException {
    PreparedStatement select =
        db.prepare("SELECT " + Rows.TASK_COLUMNS + " FROM tasks WHERE id = ?");
    select.setLong(1, taskId);
    try (ResultSet row = select.executeQuery()) {
      return row.next() ? Optional.of(Rows.taskRow(row)) : Optional.empty();
    }
  }

  static InstancePage query(SqlConnection db, InstanceFilter filter, int pageSize, PageToken after)
      throws SQLException {
    FilterSql where =
        after == null
            ? FilterSql.of(SqliteDialect.INSTANCE, filter)
            : FilterSql.after(SqliteDialect.INSTANCE, filter, after);
    PreparedStatement select =
        db.prepare(
            "SELECT "
                + Rows.INSTANCE_COLUMNS
                + " FROM instances WHERE "
                + where.where()
                + " ORDER BY created_at, instance_id LIMIT ?");
    select.setInt(
        where.bind(select), pageSize + 1); // one extra row says whether a next page exists
    List<InstanceRecord> rows = new ArrayList<>();
    try (ResultSet row = select.executeQuery()) {
      while (row.next()) {
        rows.add(Rows.instance(row));
      }
    }
    if (rows.size() <= pageSize) {
      return new InstancePage(rows, null);
    }
    InstanceRecord last = rows.get(pageSize - 1);
    PageToken next = new PageToken(last.createdAt().toEpochMilli(), last.instanceId());
    return new InstancePage(List.copyOf(rows.subList(0, pageSize)), next.encode(PAGE_TOKEN_TAG));
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

  static void forEachTaskId(SqlConnection db, Consumer<Long> action) throws SQLException {
    try (ResultSet rows = db.prepare("SELECT id FROM tasks ORDER BY id").executeQuery()) {
      while (rows.next()) {
        action.accept(rows.getLong(1));
      }
    }
  }
}
