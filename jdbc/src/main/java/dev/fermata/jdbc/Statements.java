package dev.fermata.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Where the shared reads get their prepared statements: a store's own connection that keeps them
 * for reuse (SQLite's, which runs the same few statements thousands of times), or a plain JDBC
 * connection ({@link #of}), which prepares each for one use and closes it after.
 */
public interface Statements {

  /** Work with a prepared statement, which it must not close. */
  @FunctionalInterface
  interface Use<T> {
    T apply(PreparedStatement statement) throws SQLException;
  }

  /** Runs {@code use} with a prepared statement for {@code sql}. */
  <T> T prepared(String sql, Use<T> use) throws SQLException;

  /** A plain connection's statements: each prepared for one use, and closed after it. */
  static Statements of(Connection connection) {
    return new Statements() {
      @Override
      public <T> T prepared(String sql, Use<T> use) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
          return use.apply(statement);
        }
      }
    };
  }
}
