package dev.fermata.postgres;

import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.FilterSql;
import dev.fermata.jdbc.Rows;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.PageToken;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The store's queries, each a single statement on a connection it is given. */
final class StoreReads {
  /** Tags this store's continuation tokens (see {@link PageToken}). */
  static final String PAGE_TOKEN_TAG = "p1";

  private StoreReads() {}

  static Optional<InstanceRecord> instance(Connection db, String instanceId) throws SQLException {
    try (PreparedStatement select =
        db.prepareStatement(
            "SELECT " + Rows.INSTANCE_COLUMNS + " FROM instances WHERE instance_id = ?")) {
      select.setString(1, instanceId);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(Rows.instance(row)) : Optional.empty();
      }
    }
  }

  static List<HistoryEvent> history(Connection db, String instanceId) throws SQLException {
    try (PreparedStatement select =
        db.prepareStatement(
            "SELECT seq, event_json FROM history WHERE instance_id = ? ORDER BY seq")) {
      select.setString(1, instanceId);
      List<HistoryEvent> events = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          events.add(Rows.historyEvent(rows, instanceId));
        }
      }
      return events;
    }
  }

  static InstancePage query(Connection db, InstanceFilter filter, int pageSize, PageToken after)
      throws SQLException {
    FilterSql where =
        after == null
            ? FilterSql.of(PostgresDialect.INSTANCE, filter)
            : FilterSql.after(PostgresDialect.INSTANCE, filter, after);
    List<InstanceRecord> rows = new ArrayList<>();
    try (PreparedStatement select =
        db.prepareStatement(
            "SELECT "
                + Rows.INSTANCE_COLUMNS
                + " FROM instances WHERE "
                + where.where()
                + " ORDER BY created_at, instance_id LIMIT ?")) {
      // one extra row says whether a next page exists
      select.setInt(where.bind(select), pageSize + 1);
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          rows.add(Rows.instance(row));
        }
      }
    }
    if (rows.size() <= pageSize) {
      return new InstancePage(rows, null);
    }
    InstanceRecord last = rows.get(pageSize - 1);
    PageToken next = new PageToken(last.createdAt().toEpochMilli(), last.instanceId());
    return new InstancePage(List.copyOf(rows.subList(0, pageSize)), next.encode(PAGE_TOKEN_TAG));
  }
}
