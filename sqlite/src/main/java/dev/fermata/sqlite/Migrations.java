package dev.fermata.sqlite;

import dev.fermata.FermataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates and upgrades the schema from the versioned files under {@code migrations/} (see the
 * README there for the rules), all in one exclusive transaction.
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
   * Applies the migrations the database has not run yet.
   *
   * @throws FermataException if the database was written by a newer schema than this code knows
   */
  static void apply(SqlConnection db, String databaseName, long nowMillis) throws SQLException {
    db.execute("BEGIN EXCLUSIVE");
    try {
      db.execute(
          "CREATE TABLE IF NOT EXISTS schema_version ("
              + "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)");
      int current = currentVersion(db);
      if (current > latestVersion()) {
        throw new FermataException(
            "the database "
                + databaseName
                + " has schema version "
                + current
                + ", newer than the newest this Fermata knows ("
                + latestVersion()
                + "); it was written by a newer Fermata: run that version, or restore a backup");
      }
      for (Migration m : load()) {
        if (m.version() > current) {
          run(db, m, nowMillis);
        }
      }
      db.execute("COMMIT");
    } catch (SQLException | RuntimeException e) {
      db.execute("ROLLBACK");
      throw e;
    }
  }

  static int currentVersion(SqlConnection db) throws SQLException {
    String max = db.queryText("SELECT MAX(version) FROM schema_version");
    return max == null ? 0 : Integer.parseInt(max);
  }

  private static void run(SqlConnection db, Migration m, long nowMillis) throws SQLException {
    for (String statement : m.statements()) {
      db.execute(statement);
    }
    PreparedStatement record =
        db.prepare(
            "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)");
    record.setInt(1, m.version());
    record.setString(2, m.description());
    record.setLong(3, nowMillis);
    record.executeUpdate();
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
