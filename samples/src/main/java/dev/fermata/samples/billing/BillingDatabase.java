package dev.fermata.samples.billing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The one small SQLite file behind the sample's simulated systems (subscription store, payment
 * service, email outbox). Every write is committed with {@code synchronous = FULL}, so what a
 * system reports as done survives a {@code kill -9} of the process.
 */
final class BillingDatabase implements AutoCloseable {
  private static final String[] SCHEMA = {
    """
    CREATE TABLE IF NOT EXISTS subscriptions (
      id TEXT PRIMARY KEY,
      user_email TEXT NOT NULL,
      plan TEXT NOT NULL,
      amount_cents INTEGER NOT NULL,
      next_billing_date TEXT NOT NULL)""",
    // One row per charge made; the key makes a repeated request return the first charge.
    """
    CREATE TABLE IF NOT EXISTS charges (
      payment_id INTEGER PRIMARY KEY AUTOINCREMENT,
      idempotency_key TEXT NOT NULL UNIQUE,
      subscription_id TEXT NOT NULL,
      amount_cents INTEGER NOT NULL,
      charged_at TEXT NOT NULL)""",
    // Every request the payment service received, including repeats and failures.
    """
    CREATE TABLE IF NOT EXISTS payment_requests (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      idempotency_key TEXT NOT NULL,
      outcome TEXT NOT NULL)""",
    """
    CREATE TABLE IF NOT EXISTS emails (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      idempotency_key TEXT NOT NULL UNIQUE,
      recipient TEXT NOT NULL,
      subject TEXT NOT NULL,
      body TEXT NOT NULL,
      sent_at TEXT NOT NULL)""",
  };

  private final Connection connection;

  private BillingDatabase(Connection connection) {
    this.connection = connection;
  }

  static BillingDatabase open(Path file) {
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = FULL");
        s.execute("PRAGMA busy_timeout = 10000");
        for (String ddl : SCHEMA) {
          s.execute(ddl);
        }
      }
      return new BillingDatabase(c);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot open the billing database " + file, e);
    }
  }

  /** Runs {@code work} in one transaction. */
  synchronized <T> T inTransaction(SqlWork<T> work) {
    try {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Billing database error: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot close the billing database", e);
    }
  }
}
