package dev.fermata.postgres;

import dev.fermata.FermataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates and upgrades a hub's schema from the versioned files under {@code migrations/} (see the
 * README there), in one transaction under an advisory lock, so that workers starting together apply
 * each migration once.
 */
final class Migrations {
  /** Every migration, in order. A released file is never edited: add a new one instead. */
  static final List<String> FILES = List.of("V001__init.sql");

  private static final String FOLDER = "migrations/";
  private static final Pattern NAME = Pattern.compile("V(\\d{3})__(\\w+)\\.sql");

  record Migration(int version, String description, List<String> statements) {}

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
    List<Migration> migrations = load();
    return database.inTransaction(
        db -> {
          try (PreparedStatement lock =
              db.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, "fermata-migrations:" + schema);
            lock.execute();
          }
          try (Statement ddl = db.createStatement()) {
            ddl.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            ddl.execute("SET LOCAL search_path TO " + schema);
            ddl.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                    + " description text NOT NULL, applied_at bigint NOT NULL)");
          }
          int current = currentVersion(db);
          if (current > latestVersion()) {
            throw new FermataException(
                "the schema "
                    + schema
                    + " has version "
                    + current
                    + ", newer than the newest this Fermata knows ("
                    + latestVersion()
                    + "); it was written by a newer Fermata: run that version");
          }
          int applied = 0;
          for (Migration m : migrations) {
            if (m.version() > current) {
              run(db, m, nowMillis);
              applied++;
            }
          }
          return applied;
        });
  }

  static int currentVersion(Connection db) throws SQLException {
    try (Statement select = db.createStatement();
        ResultSet row =
            select.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
      row.next();
      return row.getInt(1);
    }
  }

  private static void run(Connection db, Migration m, long nowMillis) throws SQLException {
    try (Statement ddl = db.createStatement()) {
      for (String statement : m.statements()) {
        ddl.execute(statement);
      }
    }
    try (PreparedStatement record =
        db.prepareStatement(
            "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
      record.setInt(1, m.version());
      record.setString(2, m.description());
      record.setLong(3, nowMillis);
      record.executeUpdate();
    }
  }

  /** The migrations in {@link #FILES}, checked to be numbered 1, 2, 3... */
  static List<Migration> load() {
    List<Migration> migrations = new ArrayList<>();
    for (String file : FILES) {
      Matcher name = NAME.matcher(file);
      if (!name.matches() || Integer.parseInt(name.group(1)) != migrations.size() + 1) {
        throw new IllegalStateException("migration " + file + " is misnamed or out of order");
      }
      migrations.add(
          new Migration(migrations.size() + 1, name.group(2), statements(read(FOLDER + file))));
    }
    return migrations;
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration resource " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + resource, e);
    }
  }

  /** Splits a file into statements: each ends with ';' at the end of a line. */
  static List<String> statements(String sql) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        statements.add(current.toString().strip());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalStateException("migration ends without ';': " + current);
    }
    return statements;
  }
}
