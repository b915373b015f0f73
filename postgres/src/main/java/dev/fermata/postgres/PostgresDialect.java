package dev.fermata.postgres;

import dev.fermata.jdbc.FilterSql;
import dev.fermata.jdbc.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
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

  @Override
  public FilterSql pairBefore(String first, String second, Object firstValue, Object secondValue) {
    return new FilterSql(
        "(" + first + ", " + second + ") < (?, ?)", List.of(firstValue, secondValue));
  }

  // ---- schema migrations ----

  /**
   * Takes a transaction-scoped advisory lock per schema (workers starting together migrate one
   * after the other), then creates the hub's schema if it is missing and selects it.
   */
  @Override
  public void beforeMigrations(Connection db, String schema) throws SQLException {
    try (PreparedStatement lock =
        db.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
      lock.setString(1, "fermata-migrations:" + schema);
      lock.execute();
    }
    try (Statement ddl = db.createStatement()) {
      ddl.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      ddl.execute("SET LOCAL search_path TO " + schema);
    }
  }

  @Override
  public String createVersionTable() {
    return "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
        + " description text NOT NULL, applied_at bigint NOT NULL)";
  }

  @Override
  public String newerSchemaMessage(String schema, int found, int newest) {
    return "the schema "
        + schema
        + " has version "
        + found
        + ", newer than the newest this Fermata knows ("
        + newest
        + "); it was written by a newer Fermata: run that version";
  }
}
