package dev.fermata.postgres;

import dev.fermata.OrchestrationStatus;
import dev.fermata.jdbc.Rows;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.PageToken;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An {@link InstanceFilter} as a SQL condition on {@code instances} with its parameters: the one
 * place a filter field becomes SQL.
 */
record FilterSql(String where, List<Object> parameters) {

  static FilterSql of(InstanceFilter filter) {
    return build(filter.statuses(), filter, null);
  }

  /** The filter restricted to terminal instances (what a bulk purge may delete). */
  static FilterSql terminalOnly(InstanceFilter filter) {
    Set<OrchestrationStatus> terminal = EnumSet.noneOf(OrchestrationStatus.class);
    for (OrchestrationStatus s : OrchestrationStatus.values()) {
      if (s.isTerminal() && (filter.statuses().isEmpty() || filter.statuses().contains(s))) {
        terminal.add(s);
      }
    }
    return terminal.isEmpty() ? new FilterSql("false", List.of()) : build(terminal, filter, null);
  }

  /** The filter plus "after the row {@code token} names" in (created_at, instance_id) order. */
  static FilterSql after(InstanceFilter filter, PageToken token) {
    return build(filter.statuses(), filter, token);
  }

  private static FilterSql build(
      Set<OrchestrationStatus> statuses, InstanceFilter filter, PageToken after) {
    List<String> conditions = new ArrayList<>();
    List<Object> parameters = new ArrayList<>();
    if (!statuses.isEmpty()) {
      conditions.add("status = ANY (?)");
      parameters.add(statuses.stream().map(Enum::name).sorted().toArray(String[]::new));
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
    if (filter.instanceIdPrefix() != null) {
      // Not LIKE: % and _ would be wildcards. Ids compare bytewise (COLLATE "C"), so the range
      // lets the primary key narrow the scan; left() makes the match exact.
      conditions.add("instance_id >= ? AND left(instance_id, length(?)) = ?");
      parameters.addAll(
          List.of(filter.instanceIdPrefix(), filter.instanceIdPrefix(), filter.instanceIdPrefix()));
    }
    if (!filter.selectsEntities()) {
      conditions.add("left(instance_id, 1) <> '@'"); // entity rows only when asked for
    }
    if (after != null) {
      conditions.add("(created_at, instance_id) > (?, ?)");
      parameters.addAll(List.of(after.createdAtMillis(), after.instanceId()));
    }
    String where = conditions.isEmpty() ? "true" : String.join(" AND ", conditions);
    return new FilterSql(where, List.copyOf(parameters));
  }

  /** Binds the parameters from index 1; returns the next free index. */
  int bind(PreparedStatement statement) throws SQLException {
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
