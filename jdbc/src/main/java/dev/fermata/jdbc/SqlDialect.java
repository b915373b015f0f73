package dev.fermata.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What differs between the SQL stores in the SQL this module writes for them: a few spellings and
 * the continuation tokens' tag. One small class per database implements it ({@code SqliteDialect},
 * {@code PostgresDialect}); everything else in this package is written once.
 */
public interface SqlDialect {

  /**
   * Tags the continuation tokens the store issues (see {@link dev.fermata.spi.PageToken}). Never
   * changed: tokens handed out before must still decode.
   */
  String pageTokenTag();

  // ---- instance filters (FilterSql) ----

  /** A boolean constant as a condition. */
  String literal(boolean value);

  /** The first {@code length} characters of {@code column}; {@code length} is an SQL expression. */
  String leftChars(String column, String length);

  /** "{@code column} is one of {@code values}" (at least one value). */
  FilterSql anyOf(String column, List<String> values);

  /** "({@code first}, {@code second}) comes after ({@code firstValue}, {@code secondValue})". */
  FilterSql pairAfter(String first, String second, Object firstValue, Object secondValue);

  /** {@code (first, second) < (firstValue, secondValue)}, as {@link #pairAfter} backwards. */
  FilterSql pairBefore(String first, String second, Object firstValue, Object secondValue);

  // ---- schema migrations (SchemaMigrations) ----

  /**
   * The statement that creates the version table if it is missing: {@code schema_version (version,
   * description, applied_at)}, applied_at in epoch milliseconds.
   */
  String createVersionTable();

  /**
   * Runs first in the migrations' transaction, before the version table is touched; {@code target}
   * names what is migrated (PostgreSQL: the hub's schema, which it locks, creates and selects).
   */
  default void beforeMigrations(Connection db, String target) throws SQLException {}

  /** Why a schema at version {@code found}, newer than this code's {@code newest}, is refused. */
  String newerSchemaMessage(String target, int found, int newest);
}
