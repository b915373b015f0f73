package dev.fermata.jdbc;

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
 * The schema migrations runner of the SQL stores: versioned files {@code V001__name.sql}, {@code
 * V002__...} in a store's {@code migrations/} resource folder, applied in order and recorded in a
 * {@code schema_version} table; a schema with a version newer than the newest file is refused. The
 * store's {@link SqlDialect} supplies what differs (the version table's DDL, the refusal's wording,
 * and PostgreSQL's lock, schema and search path); the store opens the transaction it all runs in.
 *
 * <p>Each store has a small {@code Migrations} class that lists its released files and opens that
 * transaction. It extends this class for the {@link Migration} type and {@link #statements}.
 */
public class SchemaMigrations {
  private static final String FOLDER = "migrations/";
  private static final Pattern NAME = Pattern.compile("V(\\d{3})__(\\w+)\\.sql");

  /** One file's statements. */
  public record Migration(int version, String description, List<String> statements) {}

  protected SchemaMigrations() {}

  /**
   * Reads {@code files} from the {@code migrations/} folder beside {@code anchor} (a class of the
   * store's package), checked to be numbered 1, 2, 3...
   */
  public static List<Migration> load(Class<?> anchor, List<String> files) {
    List<Migration> migrations = new ArrayList<>();
    for (String file : files) {
      Matcher name = NAME.matcher(file);
      if (!name.matches() || Integer.parseInt(name.group(1)) != migrations.size() + 1) {
        throw new IllegalStateException("migration " + file + " is misnamed or out of order");
      }
      migrations.add(
          new Migration(
              migrations.size() + 1, name.group(2), statements(read(anchor, FOLDER + file))));
    }
    return migrations;
  }

  /**
   * Applies the migrations {@code db} has not run yet, inside the transaction the caller opened and
   * commits (a failure leaves it to be rolled back).
   *
   * @param target what is migrated, for the dialect and the messages (a file, a schema)
   * @return how many migrations were applied (0 if none was missing)
   * @throws FermataException if the schema was written by a newer Fermata than this one
   */
  public static int apply(
      Connection db, SqlDialect dialect, List<Migration> migrations, String target, long nowMillis)
      throws SQLException {
    dialect.beforeMigrations(db, target);
    try (Statement ddl = db.createStatement()) {
      ddl.execute(dialect.createVersionTable());
    }
    int current = currentVersion(db);
    if (current > migrations.size()) {
      throw new FermataException(dialect.newerSchemaMessage(target, current, migrations.size()));
    }
    int applied = 0;
    for (Migration m : migrations) {
      if (m.version() > current) {
        run(db, m, nowMillis);
        applied++;
      }
    }
    return applied;
  }

  private static int currentVersion(Connection db) throws SQLException {
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

  private static String read(Class<?> anchor, String resource) {
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration resource " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + resource, e);
    }
  }

  /** Splits a file into statements: each ends with ';' at the end of a line. */
  public static List<String> statements(String sql) {
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
