package dev.fermata.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.fermata.FermataException;
import dev.fermata.spi.StoreUnavailableException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import java.util.Set;

/**
 * The connection pool and the transaction discipline: every write runs in one transaction (several
 * statements in {@link #inTransaction}, or one statement in {@link #autoCommit}) that is retried
 * when PostgreSQL aborts it for a deadlock or a serialization failure (both mean "nothing was
 * applied, try again"). A database out of reach or out of resources becomes a {@link
 * StoreUnavailableException}; other SQL errors become {@link FermataException}s.
 */
final class Database implements AutoCloseable {
  /** Work done on a connection; may be run more than once if its transaction is retried. */
  interface Work<T> {
    T run(Connection db) throws SQLException;
  }

  private static final Set<String> RETRYABLE = Set.of("40001", "40P01");
  private static final int ATTEMPTS = 5;

  private final PostgresOptions options;
  private final HikariDataSource pool;

  Database(PostgresOptions options) {
    this.options = options;
    HikariConfig config = new HikariConfig();
    config.setPoolName("fermata-" + options.hubName());
    config.setJdbcUrl(options.jdbcUrl());
    config.setUsername(options.user());
    config.setPassword(options.password());
    config.setMaximumPoolSize(options.maxPoolSize());
    config.setMinimumIdle(Math.min(2, options.maxPoolSize()));
    config.setConnectionTimeout(5_000);
    // Unqualified names resolve to the hub's schema; the schema may not exist before migrations.
    config.addDataSourceProperty("currentSchema", options.schemaName());
    config.addDataSourceProperty("ApplicationName", "fermata");
    this.pool = new HikariDataSource(config);
  }

  /** Runs {@code work} in a transaction, retrying it after a deadlock or serialization failure. */
  <T> T inTransaction(Work<T> work) {
    return withRetries(
        db -> {
          db.setAutoCommit(false);
          try {
            T result = work.run(db);
            db.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            rollbackQuietly(db);
            throw e;
          }
        });
  }

  /**
   * Runs {@code work} in auto-commit mode: each statement is its own transaction, with no BEGIN or
   * COMMIT round trips (reads, and writes that are one statement). Retried as {@link
   * #inTransaction} is, so the work must be safe to run again.
   */
  <T> T autoCommit(Work<T> work) {
    return withRetries(work);
  }

  private <T> T withRetries(Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection db = pool.getConnection()) {
        return work.run(db);
      } catch (SQLException | PostgresTransaction.SqlFailure e) {
        SQLException sql =
            e instanceof PostgresTransaction.SqlFailure carried
                ? carried.sqlException()
                : (SQLException) e;
        if (attempt < ATTEMPTS && RETRYABLE.contains(sql.getSQLState())) {
          continue;
        }
        throw failure(sql);
      }
    }
  }

  /** A connection outside the pool, for LISTEN: it lives as long as the store. */
  Connection openDedicated() throws SQLException {
    Properties properties = new Properties();
    if (options.user() != null) {
      properties.setProperty("user", options.user());
    }
    if (options.password() != null) {
      properties.setProperty("password", options.password());
    }
    properties.setProperty("ApplicationName", "fermata-listen");
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(options.jdbcUrl(), properties);
  }

  private FermataException failure(SQLException e) {
    String problem = storageProblem(e);
    if (problem != null) {
      return new StoreUnavailableException(
          problem,
          new FermataException(
              "hub '" + options.hubName() + "' (" + e.getSQLState() + "): " + e.getMessage(), e));
    }
    return new FermataException(
        "PostgreSQL request failed for hub '"
            + options.hubName()
            + "' ("
            + e.getSQLState()
            + "): "
            + e.getMessage(),
        e);
  }

  /**
   * What keeps the store from serving requests, in a few words, or null if {@code e} is an error of
   * the request itself: the database out of reach (SQLSTATE class 08, a terminated or starting
   * server, no connection from the pool in time), or out of disk or memory (class 53).
   */
  static String storageProblem(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("53100")) {
      return "the store cannot write: the database's disk is full";
    }
    if (state.startsWith("53")) {
      return "the store cannot serve requests: the database is out of resources";
    }
    if (state.startsWith("08")
        || Set.of("57P01", "57P02", "57P03").contains(state)
        || e instanceof SQLTransientConnectionException
        || e instanceof SQLNonTransientConnectionException
        || e instanceof SQLRecoverableException) {
      return "the store cannot reach the database";
    }
    return null;
  }

  private static void rollbackQuietly(Connection db) {
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the pool will discard it
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
