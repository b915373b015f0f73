package dev.fermata.jdbc;

import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.PageToken;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An SQL condition with its parameters; {@link #of} and friends turn an {@link InstanceFilter} into
 * one on {@code instances}: the one place a filter field becomes SQL, in the store's {@link
 * SqlDialect}.
 */
public record FilterSql(String where, List<Object> parameters) {

  public FilterSql {
    parameters = List.copyOf(parameters);
  }

  public static FilterSql of(SqlDialect dialect, InstanceFilter filter) {
    return build(dialect, filter.statuses(), filter, null, false);
  }

  /** The filter restricted to terminal instances (what a bulk purge may delete). */
  public static FilterSql terminalOnly(SqlDialect dialect, InstanceFilter filter) {
    Set<OrchestrationStatus> terminal = EnumSet.noneOf(OrchestrationStatus.class);
    for (OrchestrationStatus s : OrchestrationStatus.values()) {
      if (s.isTerminal() && (filter.statuses().isEmpty() || filter.statuses().contains(s))) {
        terminal.add(s);
      }
    }
    return terminal.isEmpty()
        ? new FilterSql(dialect.literal(false), List.of())
        : build(dialect, terminal, filter, null, false);
  }

  /**
   * The filter plus "past the row {@code token} names" in (created_at, instance_id) order: after
   * it, or before it when the pages go {@code newestFirst}.
   */
  public static FilterSql after(
      SqlDialect dialect, InstanceFilter filter, PageToken token, boolean newestFirst) {
    return build(dialect, filter.statuses(), filter, token, newestFirst);
  }

  private static FilterSql build(
      SqlDialect dialect,
      Set<OrchestrationStatus> statuses,
      InstanceFilter filter,
      PageToken after,
      boolean newestFirst) {
    List<String> conditions = new ArrayList<>();
    List<Object> parameters = new ArrayList<>();
    if (!statuses.isEmpty()) {
      FilterSql in = dialect.anyOf("status", statuses.stream().map(Enum::name).sorted().toList());
      conditions.add(in.where());
      parameters.addAll(in.parameters());
    }
    if (filter.name() != null) {
      conditions.add("name = ?");
      parameters.add(filter.name());
    }
    if (filter.createdFrom() != null) {
      conditions.add("created_at >= ?");
      parameters.add(Rows.ceilMillis(filter.createdFrom()));
    }
    if (filter.createdTo() != null) {
      conditions.add("created_at <= ?");
      parameters.add(filter.createdTo().toEpochMilli());
    }
    if (filter.lastUpdatedTo() != null) {
      conditions.add("last_updated_at <= ?");
      parameters.add(filter.lastUpdatedTo().toEpochMilli());
    }
    if (filter.instanceIdPrefix() != null) {
      // Not LIKE: % and _ would be wildcards (and SQLite's ignores case). Ids compare bytewise
      // (SQLite's BINARY, PostgreSQL's COLLATE "C"), so the range lets the primary key narrow the
      // scan; comparing the leading characters makes the match exact.
      conditions.add(
          "instance_id >= ? AND " + dialect.leftChars("instance_id", "length(?)") + " = ?");
      parameters.addAll(
          List.of(filter.instanceIdPrefix(), filter.instanceIdPrefix(), filter.instanceIdPrefix()));
    }
    if (!filter.selectsEntities()) {
      // entity rows only when asked for
      conditions.add("kind = '" + Rows.ORCHESTRATION_KIND + "'");
    }
    if (after != null) {
      FilterSql cursor =
          newestFirst
              ? dialect.pairBefore(
                  "created_at", "instance_id", after.createdAtMillis(), after.instanceId())
              : dialect.pairAfter(
                  "created_at", "instance_id", after.createdAtMillis(), after.instanceId());
      conditions.add(cursor.where());
      parameters.addAll(cursor.parameters());
    }
    String where = conditions.isEmpty() ? dialect.literal(true) : String.join(" AND ", conditions);
    return new FilterSql(where, parameters);
  }

  /**
   * Binds the parameters from index 1; returns the next free index. A {@code String[]} (a dialect's
   * list parameter) is bound as an SQL text array.
   */
  public int bind(PreparedStatement statement) throws SQLException {
    int index = 1;
    for (Object parameter : parameters) {
      if (parameter instanceof String[] texts) {
        statement.setArray(index++, statement.getConnection().createArrayOf("text", texts));
      } else {
        statement.setObject(index++, parameter);
      }
    }
    return index;
  }
}
