package dev.fermata.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Direct SQL on a store's database file, for tests that inspect or damage rows. */
final class RawDb {
  private RawDb() {}

  static int update(Path file, String sql, Object... parameters) throws SQLException {
    try (Connection c = connect(file);
        PreparedStatement statement = c.prepareStatement(sql)) {
      bind(statement, parameters);
      return statement.executeUpdate();
    }
  }

  /** The first column of every row. */
  static List<Object> column(Path file, String sql, Object... parameters) throws SQLException {
    try (Connection c = connect(file);
        PreparedStatement statement = c.prepareStatement(sql)) {
      bind(statement, parameters);
      List<Object> values = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          values.add(rows.getObject(1));
        }
      }
      return values;
    }
  }

  static long count(Path file, String sql, Object... parameters) throws SQLException {
    return ((Number) column(file, sql, parameters).get(0)).longValue();
  }

  private static Connection connect(Path file) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (var statement = c.createStatement()) {
      statement.execute("PRAGMA busy_timeout = 10000");
    }
    return c;
  }

  private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
    for (int i = 0; i < parameters.length; i++) {
      statement.setObject(i + 1, parameters[i]);
    }
  }
}
