package dev.fermata.postgres;

import dev.fermata.FermataException;
import dev.fermata.jdbc.SchemaMigrations;
import java.util.List;

/**
 * A hub's schema migrations: the versioned files under {@code migrations/} (see the README there),
 * applied by the shared runner in one transaction under an advisory lock (see {@link
 * PostgresDialect#beforeMigrations}), so that workers starting together apply each migration once.
 */
final class Migrations extends SchemaMigrations {
  /** Every migration, in order. A released file is never edited: add a new one instead. */
  static final List<String> FILES =
      List.of(
          "V001__init.sql",
          "V002__instance_kind.sql",
          "V003__dead_letter_kind.sql",
          "V004__workers.sql",
          "V005__instance_version.sql",
          "V006__trace_context.sql");

  private Migrations() {}

  /** The schema version this code writes. */
  static int latestVersion() {
    return FILES.size();
  }

  /**
   * Applies the migrations the hub's schema has not run yet, creating the schema if needed.
   *
   * @return how many migrations were applied (0 if another worker applied them first)
   * @throws FermataException if the schema was written by a newer Fermata than this one
   */
  static int apply(Database database, String schema, long nowMillis) {
    List<Migration> migrations = load(Migrations.class, FILES);
    return database.inTransaction(
        db -> SchemaMigrations.apply(db, PostgresDialect.INSTANCE, migrations, schema, nowMillis));
  }
}
