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
 * properties {@value #URL} (default {@value #DEFAULT_URL}), {@value #USER} (default {@code
 * postgres}) and {@value #PASSWORD}. Each workload run gets a hub of its own, named after its
 * temporary directory so that a restarted engine finds it again, and dropped at the end.
 */
final class PostgresBench {
  static final String URL = "fermata.bench.postgres.url";
  static final String USER = "fermata.bench.postgres.user";
  static final String PASSWORD = "fermata.bench.postgres.password";
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  private PostgresBench() {}

  static String url() {
    return System.getProperty(URL, DEFAULT_URL);
  }

  /** The options of the hub for the run whose store would live at {@code dbFile}. */
  static PostgresOptions options(Path dbFile) {
    String hub = "bench" + Integer.toHexString(dbFile.toAbsolutePath().toString().hashCode());
    return PostgresOptions.builder(url())
        .user(System.getProperty(USER, "postgres"))
        .password(System.getProperty(PASSWORD))
        .hubName(hub)
        .build();
  }

  /** Drops the run's hub (its schema); quietly, as clean-up after the figures are out. */
  static void dropHub(Path dbFile) {
    try (Connection db = connect();
        Statement drop = db.createStatement()) {
      drop.execute("DROP SCHEMA IF EXISTS " + options(dbFile).schemaName() + " CASCADE");
    } catch (SQLException e) {
      Workloads.log("could not drop the benchmark hub: " + e.getMessage());
    }
  }

  /** Whether the database answers; the runner skips this system when it does not. */
  static boolean isReachable() {
    try (Connection db = connect()) {
      return db.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  private static Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", System.getProperty(USER, "postgres"));
    if (System.getProperty(PASSWORD) != null) {
      properties.setProperty("password", System.getProperty(PASSWORD));
    }
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(url(), properties);
  }
}
