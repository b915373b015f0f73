package dev.fermata.jdbc;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.PageToken;
import dev.fermata.spi.WorkBacklog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The reads both SQL stores make, each a single statement on the connection it is given (a
 * transaction around several, if any, is the store's). Reads of one store's own (SQLite's recovery
 * scans, PostgreSQL's claims) stay in that store.
 */
public final class StoreReads {
  private StoreReads() {}

  public static Optional<InstanceRecord> instance(Statements db, String instanceId)
      throws SQLException {
    return db.prepared(
        "SELECT " + Rows.INSTANCE_COLUMNS + " FROM instances WHERE instance_id = ?",
        select -> {
          select.setString(1, instanceId);
          try (ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(Rows.instance(row)) : Optional.empty();
          }
        });
  }

  /**
   * True if the instance has no stored history: its first episode, which a hand-out can then mark
   * so that the engine does not read the history (see {@code OrchestrationWorkItem}).
   */
  public static boolean historyEmpty(Statements db, String instanceId) throws SQLException {
    return db.prepared(
        "SELECT NOT EXISTS (SELECT 1 FROM history WHERE instance_id = ?)",
        select -> {
          select.setString(1, instanceId);
          try (ResultSet row = select.executeQuery()) {
            row.next();
            return row.getBoolean(1);
          }
        });
  }

  public static List<HistoryEvent> history(Statements db, String instanceId) throws SQLException {
    return db.prepared(
        "SELECT seq, event_json FROM history WHERE instance_id = ? ORDER BY seq",
        select -> {
          select.setString(1, instanceId);
          List<HistoryEvent> events = new ArrayList<>();
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              events.add(Rows.historyEvent(rows, instanceId));
            }
          }
          return events;
        });
  }

  /**
   * The history task ids of the execution's stored tasks, then of the call results (activities,
   * sub-orchestrations) in its inbox. Tasks are read first: a task deleted in between has its
   * result in the inbox by then, and the caller holds the instance's lock, so that result is not
   * consumed before the second read.
   */
  public static Set<Integer> openTaskIds(Statements db, String instanceId, String executionId)
      throws SQLException {
    Set<Integer> open = new HashSet<>();
    db.prepared(
        "SELECT task_id FROM tasks WHERE instance_id = ? AND execution_id = ?",
        select -> {
          select.setString(1, instanceId);
          select.setString(2, executionId);
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              open.add(rows.getInt(1));
            }
          }
          return null;
        });
    db.prepared(
        "SELECT "
            + Rows.INBOX_COLUMNS
            + " FROM inbox WHERE instance_id = ? AND execution_id = ? ORDER BY id",
        select -> {
          select.setString(1, instanceId);
          select.setString(2, executionId);
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              switch (Rows.inboxMessage(rows, 0).event()) {
                case HistoryEvent.TaskCompleted c -> open.add(c.taskScheduledId());
                case HistoryEvent.TaskFailed f -> open.add(f.taskScheduledId());
                case HistoryEvent.SubOrchestrationInstanceCompleted c ->
                    open.add(c.taskScheduledId());
                case HistoryEvent.SubOrchestrationInstanceFailed f -> open.add(f.taskScheduledId());
                default -> {}
              }
            }
          }
          return null;
        });
    return open;
  }

  /** The instance's messages visible at {@code now}, in arrival order. */
  public static List<InboxMessage> visibleMessages(Statements db, String instanceId, Instant now)
      throws SQLException {
    return db.prepared(
        "SELECT "
            + Rows.INBOX_COLUMNS
            + " FROM inbox WHERE instance_id = ? AND visible_at <= ? ORDER BY id",
        select -> {
          select.setString(1, instanceId);
          select.setLong(2, now.toEpochMilli());
          List<InboxMessage> messages = new ArrayList<>();
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              messages.add(Rows.inboxMessage(rows, 0));
            }
          }
          return messages;
        });
  }

  /** The messages visible at {@code now} and the tasks not yet completed, in one statement. */
  public static WorkBacklog backlog(Statements db, Instant now) throws SQLException {
    return db.prepared(
        "SELECT (SELECT COUNT(*) FROM inbox WHERE visible_at <= ?),"
            + " (SELECT MIN(visible_at) FROM inbox WHERE visible_at <= ?),"
            + " (SELECT COUNT(*) FROM tasks)",
        select -> {
          select.setLong(1, now.toEpochMilli());
          select.setLong(2, now.toEpochMilli());
          try (ResultSet row = select.executeQuery()) {
            row.next();
            long oldest = row.getLong(2);
            Instant oldestAt = row.wasNull() ? null : Instant.ofEpochMilli(oldest);
            return new WorkBacklog(row.getLong(1), row.getLong(3), oldestAt);
          }
        });
  }

  public static Optional<Rows.TaskRow> task(Statements db, long taskId) throws SQLException {
    return db.prepared(
        "SELECT " + Rows.TASK_COLUMNS + " FROM tasks WHERE id = ?",
        select -> {
          select.setLong(1, taskId);
          try (ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(Rows.taskRow(row)) : Optional.empty();
          }
        });
  }

  /** The dead letter with this id; empty if there is none. */
  public static Optional<DeadLetter> deadLetter(Statements db, long deadLetterId)
      throws SQLException {
    return db.prepared(
        "SELECT " + Rows.DEAD_LETTER_COLUMNS + " FROM dead_letters WHERE id = ?",
        select -> {
          select.setLong(1, deadLetterId);
          try (ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(Rows.deadLetter(row)) : Optional.empty();
          }
        });
  }

  /**
   * Up to {@code limit} dead letters with ids above {@code afterId}, in id order; of one instance,
   * or of all if {@code instanceId} is null.
   */
  public static List<DeadLetter> deadLetters(
      Statements db, String instanceId, long afterId, int limit) throws SQLException {
    return db.prepared(
        "SELECT "
            + Rows.DEAD_LETTER_COLUMNS
            + " FROM dead_letters WHERE id > ?"
            + (instanceId == null ? "" : " AND instance_id = ?")
            + " ORDER BY id LIMIT ?",
        select -> {
          int next = 1;
          select.setLong(next++, afterId);
          if (instanceId != null) {
            select.setString(next++, instanceId);
          }
          select.setInt(next, limit);
          List<DeadLetter> letters = new ArrayList<>();
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              letters.add(Rows.deadLetter(rows));
            }
          }
          return letters;
        });
  }

  /**
   * A page of instances in (created_at, instance_id) order, or the reverse if {@code newestFirst},
   * past the row {@code after} names (null: from the start); the next page's token is tagged with
   * the dialect's {@link SqlDialect#pageTokenTag}. Both orders walk the same index.
   */
  public static InstancePage query(
      Statements db,
      SqlDialect dialect,
      InstanceFilter filter,
      boolean newestFirst,
      int pageSize,
      PageToken after)
      throws SQLException {
    FilterSql where =
        after == null
            ? FilterSql.of(dialect, filter)
            : FilterSql.after(dialect, filter, after, newestFirst);
    String order = newestFirst ? "created_at DESC, instance_id DESC" : "created_at, instance_id";
    List<InstanceRecord> rows =
        db.prepared(
            "SELECT "
                + Rows.INSTANCE_COLUMNS
                + " FROM instances WHERE "
                + where.where()
                + " ORDER BY "
                + order
                + " LIMIT ?",
            select -> {
              // one extra row says whether a next page exists
              select.setInt(where.bind(select), pageSize + 1);
              List<InstanceRecord> found = new ArrayList<>();
              try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                  found.add(Rows.instance(row));
                }
              }
              return found;
            });
    if (rows.size() <= pageSize) {
      return new InstancePage(rows, null);
    }
    InstanceRecord last = rows.get(pageSize - 1);
    PageToken next = new PageToken(last.createdAt().toEpochMilli(), last.instanceId());
    return new InstancePage(
        List.copyOf(rows.subList(0, pageSize)), next.encode(dialect.pageTokenTag()));
  }

  /** How many instances match {@code filter}, by status (statuses without any left out). */
  public static Map<OrchestrationStatus, Long> countByStatus(
      Statements db, SqlDialect dialect, InstanceFilter filter) throws SQLException {
    FilterSql where = FilterSql.of(dialect, filter);
    return db.prepared(
        "SELECT status, count(*) FROM instances WHERE " + where.where() + " GROUP BY status",
        select -> {
          where.bind(select);
          Map<OrchestrationStatus, Long> counts = new EnumMap<>(OrchestrationStatus.class);
          try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
              counts.put(OrchestrationStatus.valueOf(row.getString(1)), row.getLong(2));
            }
          }
          return counts;
        });
  }
}
