package dev.fermata.postgres;

import dev.fermata.jdbc.FilterSql;
import dev.fermata.jdbc.SqlDialect;
import java.util.List;

/** PostgreSQL's spelling of the SQL shared with the SQLite store (see {@link SqlDialect}). */
final class PostgresDialect implements SqlDialect {
  static final PostgresDialect INSTANCE = new PostgresDialect();

  /** Tags this store's continuation tokens; never changed (issued tokens must still decode). */
  static final String PAGE_TOKEN_TAG = "p1";

  private PostgresDialect() {}

  @Override
  public String pageTokenTag() {
    return PAGE_TOKEN_TAG;
  }

  @Override
  public String literal(boolean value) {
    return value ? "true" : "false";
  }

  @Override
  public String leftChars(String column, String length) {
    return "left(" + column + ", " + length + ")";
  }

  /** {@code = ANY (?)} with one text array parameter: one statement text for any number. */
  @Override
  public FilterSql anyOf(String column, List<String> values) {
    // (Object): the array is the one parameter, not the list of them
    return new FilterSql(column + " = ANY (?)", List.of((Object) values.toArray(String[]::new)));
  }

  /** A row-value comparison, which the (created_at, instance_id) index serves directly. */
  @Override
  public FilterSql pairAfter(String first, String second, Object firstValue, Object secondValue) {
    return new FilterSql(
        "(" + first + ", " + second + ") > (?, ?)", List.of(firstValue, secondValue));
  }
}
