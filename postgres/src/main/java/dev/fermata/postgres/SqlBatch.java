package dev.fermata.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Statements sent to PostgreSQL in one round trip: pgjdbc sends the {@code ;}-separated parts of a
 * prepared statement together and waits once. Each runs after the one before, in the caller's
 * transaction, so later parts see what earlier ones wrote. A checkpoint's writes cost one round
 * trip instead of one per statement; on a machine where the database is CPU-bound, round trips are
 * where the time goes (see docs/performance.md).
 */
final class SqlBatch {
  /** Binds one part's parameters from {@code first}; returns the index after the last. */
  interface Binder {
    int bind(PreparedStatement statement, int first) throws SQLException;
  }

  /** Reads the result of the batch's last part, a query. */
  interface Reader<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private final StringBuilder sql = new StringBuilder();
  private final List<Binder> binders = new ArrayList<>();

  /** Adds a statement whose {@code ?} parameters {@code binder} sets. */
  SqlBatch add(String statement, Binder binder) {
    if (!sql.isEmpty()) {
      sql.append(";\n");
    }
    sql.append(statement);
    binders.add(binder);
    return this;
  }

  boolean isEmpty() {
    return binders.isEmpty();
  }

  /** Runs every part. */
  void execute(Connection db) throws SQLException {
    if (isEmpty()) {
      return;
    }
    try (PreparedStatement statement = prepare(db)) {
      statement.execute();
    }
  }

  /** Runs every part and reads the rows of the last, which must be a query. */
  <T> T query(Connection db, Reader<T> reader) throws SQLException {
    try (PreparedStatement statement = prepare(db)) {
      boolean rows = statement.execute();
      while (!rows) {
        if (statement.getUpdateCount() == -1) {
          throw new IllegalStateException("the batch's last part returned no rows: " + sql);
        }
        rows = statement.getMoreResults();
      }
      try (ResultSet result = statement.getResultSet()) {
        return reader.read(result);
      }
    }
  }

  private PreparedStatement prepare(Connection db) throws SQLException {
    PreparedStatement statement = db.prepareStatement(sql.toString());
    try {
      int index = 1;
      for (Binder binder : binders) {
        index = binder.bind(statement, index);
      }
      return statement;
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
    }
  }
}
