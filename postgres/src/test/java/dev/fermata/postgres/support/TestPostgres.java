package dev.fermata.postgres.support;

import dev.fermata.postgres.PostgresOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * A PostgreSQL server for tests, and a fresh database on it per test class that {@link #close}
 * drops again.
 *
 * <p>The server is the one at 127.0.0.1:5432 (user postgres, trust authentication) when it answers;
 * otherwise an embedded PostgreSQL (binaries from Maven Central) is started once per JVM. Setting
 * the system property {@value #FORCE_EMBEDDED} to {@code true} skips the local server.
 */
public final class TestPostgres implements AutoCloseable {
  public static final String FORCE_EMBEDDED = "fermata.test.embeddedPostgres";
  private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/";
  private static final String USER = "postgres";

  private static String serverUrl; // ends with '/'
  private static EmbeddedPostgres embedded;

  private final String database;

  private TestPostgres(String database) {
    this.database = database;
  }

  /** Creates a new, empty database on the test server. */
  public static TestPostgres createDatabase() {
    String name = "fermata_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    admin("CREATE DATABASE " + name);
    return new TestPostgres(name);
  }

  public String jdbcUrl() {
    return server() + database;
  }

  public String databaseName() {
    return database;
  }

  /** Options for hub {@code hub} in this database, polling often so that tests run quickly. */
  public PostgresOptions.Builder options(String hub) {
    return PostgresOptions.builder(jdbcUrl())
        .user(USER)
        .hubName(hub)
        .maxPoolSize(4)
        .maxQueuePollingInterval(Duration.ofMillis(100));
  }

  /** A plain connection to this database (for inspecting tables). */
  public Connection connect() throws SQLException {
    return connect(jdbcUrl());
  }

  /** True if the embedded server is the one in use. */
  public static boolean usesEmbeddedServer() {
    server();
    return embedded != null;
  }

  /** Drops the database, closing any connection still open to it. */
  @Override
  public void close() {
    admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }

  /**
   * Makes this database unreachable, as in an outage: it refuses new connections and the ones open
   * to it are terminated; {@code true} lets connections in again.
   */
  public void acceptConnections(boolean accept) {
    admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS " + accept);
    if (!accept) {
      admin(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
              + database
              + "' AND pid <> pg_backend_pid()");
    }
  }

  /** Whether a database of this name exists on the server (to check that tests leave none). */
  public static boolean databaseExists(String name) {
    try (Connection db = connect(server() + "postgres");
        var select = db.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      select.setString(1, name.toLowerCase(Locale.ROOT));
      try (var row = select.executeQuery()) {
        return row.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void admin(String sql) {
    try (Connection db = connect(server() + "postgres");
        Statement statement = db.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test database setup failed: " + sql, e);
    }
  }

  private static Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", USER);
    properties.setProperty("connectTimeout", "3");
    return DriverManager.getConnection(url, properties);
  }

  private static synchronized String server() {
    if (serverUrl == null) {
      serverUrl =
          !Boolean.getBoolean(FORCE_EMBEDDED) && localServerAnswers() ? LOCAL_URL : startEmbedded();
      System.err.println("PostgreSQL for tests: " + serverUrl);
    }
    return serverUrl;
  }

  private static boolean localServerAnswers() {
    try (Connection ignored = connect(LOCAL_URL + "postgres")) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static String startEmbedded() {
    embedded = startEmbeddedServer();
    EmbeddedPostgres started = embedded;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    started.close();
                  } catch (IOException ignored) {
                    // exiting anyway
                  }
                }));
    return "jdbc:postgresql://localhost:" + embedded.getPort() + "/";
  }

  /** Starts a new embedded PostgreSQL server (the fallback when no local server answers). */
  public static EmbeddedPostgres startEmbeddedServer() {
    try {
      return EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded PostgreSQL", e);
    }
  }
}
