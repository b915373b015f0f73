package dev.fermata.sqlite;

import dev.fermata.jdbc.FilterSql;
import dev.fermata.jdbc.SqlDialect;
import java.util.Collections;
import java.util.List;

/** SQLite's spelling of the SQL shared with the PostgreSQL store (see {@link SqlDialect}). */
final class SqliteDialect implements SqlDialect {
  static final SqliteDialect INSTANCE = new SqliteDialect();

  /** Tags this store's continuation tokens; never changed (issued tokens must still decode). */
  static final String PAGE_TOKEN_TAG = "s1";

  private SqliteDialect() {}

  @Override
  public String pageTokenTag() {
    return PAGE_TOKEN_TAG;
  }

  @Override
  public String literal(boolean value) {
    return value ? "1" : "0";
  }

  @Override
  public String leftChars(String column, String length) {
    return "substr(" + column + ", 1, " + length + ")";
  }

  /** {@code IN (?, ?...)}, a parameter per value: SQLite has no array parameters. */
  @Override
  public FilterSql anyOf(String column, List<String> values) {
    return new FilterSql(
        column + " IN (" + String.join(", ", Collections.nCopies(values.size(), "?")) + ")",
        List.copyOf(values));
  }

  /** Spelled out rather than as a row value, as this store always wrote it (same query plans). */
  @Override
  public FilterSql pairAfter(String first, String second, Object firstValue, Object secondValue) {
    return new FilterSql(
        "(" + first + " > ? OR (" + first + " = ? AND " + second + " > ?))",
        List.of(firstValue, firstValue, secondValue));
  }

  @Override
  public FilterSql pairBefore(String first, String second, Object firstValue, Object secondValue) {
    return new FilterSql(
        "(" + first + " < ? OR (" + first + " = ? AND " + second + " < ?))",
        List.of(firstValue, firstValue, secondValue));
  }

  // ---- schema migrations ----

  @Override
  public String createVersionTable() {
    return "CREATE TABLE IF NOT EXISTS schema_version ("
        + "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)";
  }

  @Override
  public String newerSchemaMessage(String databaseName, int found, int newest) {
    return "the database "
        + databaseName
        + " has schema version "
        + found
        + ", newer than the newest this Fermata knows ("
        + newest
        + "); it was written by a newer Fermata: run that version, or restore a backup";
  }
}
