package dev.fermata.bench;

import dev.fermata.postgres.PostgresOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Where the {@code fermata-postgres} system keeps its hubs: the database named by the system
 * properties {@value #URL} (default {@value #DEFAULT_URL}) and {@value #USER} (default {@code
 * postgres}), with the password, if any, in the environment variable {@value #PASSWORD}. Each
 * workload run gets a hub of its own, named after its temporary directory so that a restarted
 * engine finds it again, and dropped at the end.
 */
final class PostgresBench {
  static final String URL = "fermata.bench.postgres.url";
  static final String USER = "fermata.bench.postgres.user";

  /**
   * An environment variable, so that the password stays off command lines (child JVMs inherit it).
   */
  static final String PASSWORD = "FERMATA_BENCH_POSTGRES_PASSWORD";

  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  private PostgresBench() {}

  static String url() {
    return System.getProperty(URL, DEFAULT_URL);
  }

  /** The options of the hub for the run whose store would live at {@code dbFile}. */
  static PostgresOptions options(Path dbFile) {
    String hub = "bench" + Integer.toHexString(dbFile.toAbsolutePath().toString().hashCode());
    return PostgresOptions.builder(url()).user(user()).password(password()).hubName(hub).build();
  }

  /** Drops the run's hub (its schema); quietly, as clean-up after the figures are out. */
  static void dropHub(Path dbFile) {
    try {
      dropSchema(url(), user(), password(), options(dbFile).schemaName());
    } catch (SQLException e) {
      Workloads.log("could not drop the benchmark hub: " + e.getMessage());
    }
  }

  /** Drops {@code schema} (a hub) and everything in it. */
  static void dropSchema(String url, String user, String password, String schema)
      throws SQLException {
    try (Connection db = connect(url, user, password);
        Statement drop = db.createStatement()) {
      drop.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  /**
   * Transactions committed or rolled back in the benchmark's database so far, by every session, as
   * PostgreSQL's statistics count them. Backends report their counts with a delay of up to a
   * second, so this waits that long first.
   */
  static long transactionCount() {
    return transactionCount(url(), user(), password());
  }

  /** {@link #transactionCount()} in the database at {@code url}. */
  static long transactionCount(String url, String user, String password) {
    try (Connection db = connect(url, user, password);
        Statement select = db.createStatement()) {
      Thread.sleep(1_500);
      select.execute("SELECT pg_stat_clear_snapshot()");
      try (var row =
          select.executeQuery(
              "SELECT xact_commit + xact_rollback FROM pg_stat_database"
                  + " WHERE datname = current_database()")) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read pg_stat_database: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Whether the database answers; the runner skips this system when it does not. */
  static boolean isReachable() {
    try (Connection db = connect(url(), user(), password())) {
      return db.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  private static String user() {
    return System.getProperty(USER, "postgres");
  }

  private static String password() {
    return System.getenv(PASSWORD);
  }

  private static Connection connect(String url, String user, String password) throws SQLException {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(url, properties);
  }
}
