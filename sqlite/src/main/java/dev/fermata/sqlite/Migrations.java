package dev.fermata.sqlite;

import dev.fermata.FermataException;
import dev.fermata.jdbc.SchemaMigrations;
import java.sql.SQLException;
import java.util.List;

/**
 * The SQLite schema's migrations: the versioned files under {@code migrations/} (see the README
 * there for the rules), applied by the shared runner all in one exclusive transaction.
 */
final class Migrations extends SchemaMigrations {
  /** Every migration, in order. A released file is never edited: add a new one instead. */
  static final List<String> FILES =
      List.of(
          "V001__init.sql",
          "V002__instance_kind.sql",
          "V003__dead_letter_kind.sql",
          "V004__instance_version.sql",
          "V005__trace_context.sql");

  private Migrations() {}

  /** The schema version this code writes. */
  static int latestVersion() {
    return FILES.size();
  }

  /** The migrations in {@link #FILES}, checked to be numbered 1, 2, 3... */
  static List<Migration> load() {
    return load(Migrations.class, FILES);
  }

  /**
   * Applies the migrations the database has not run yet.
   *
   * @throws FermataException if the database was written by a newer schema than this code knows
   */
  static void apply(SqlConnection db, String databaseName, long nowMillis) throws SQLException {
    db.execute("BEGIN EXCLUSIVE");
    try {
      SchemaMigrations.apply(db.jdbc(), SqliteDialect.INSTANCE, load(), databaseName, nowMillis);
      db.execute("COMMIT");
    } catch (SQLException | RuntimeException e) {
      db.execute("ROLLBACK");
      throw e;
    }
  }
}
