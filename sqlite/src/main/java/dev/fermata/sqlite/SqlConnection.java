package dev.fermata.sqlite;

import dev.fermata.jdbc.Statements;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * One JDBC connection to the database, with its prepared statements kept for reuse (the hot paths
 * run the same few statements thousands of times). Used by one thread at a time.
 */
final class SqlConnection implements Statements, AutoCloseable {
  private final Connection connection;
  // Keys are the store's own SQL texts, a bounded set (filters combine a few fixed clauses).
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  private SqlConnection(Connection connection) {
    this.connection = connection;
  }

  /** Opens a connection with the store's per-connection settings; readers cannot write. */
  static SqlConnection open(SqliteOptions options, boolean readOnly) throws SQLException {
    Properties settings = new Properties();
    // Otherwise the driver runs its own "SELECT last_insert_rowid()" after every INSERT; the
    // store asks for the row id itself where it needs one.
    settings.setProperty("jdbc.get_generated_keys", "false");
    Connection jdbc = DriverManager.getConnection("jdbc:sqlite:" + options.path(), settings);
    SqlConnection db = new SqlConnection(jdbc);
    try {
      db.execute("PRAGMA busy_timeout = " + options.busyTimeout().toMillis());
      db.execute("PRAGMA synchronous = " + options.synchronous().name());
      // Dependents are deleted explicitly in the same transaction; foreign-key checks would only
      // add work to every checkpoint.
      db.execute("PRAGMA foreign_keys = OFF");
      if (readOnly) {
        db.execute("PRAGMA query_only = ON");
      }
      return db;
    } catch (SQLException e) {
      db.close();
      throw e;
    }
  }

  /** The JDBC connection itself (for the shared migrations runner). */
  Connection jdbc() {
    return connection;
  }

  /**
   * Runs a statement without results through a kept prepared statement: for the fixed statements
   * run many times per second ({@code SAVEPOINT}, {@code COMMIT}...), which would otherwise be
   * parsed again every time.
   */
  void executePrepared(String sql) throws SQLException {
    prepare(sql).execute();
  }

  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement statement = statements.get(sql);
    if (statement == null) {
      statement = connection.prepareStatement(sql);
      statements.put(sql, statement);
    }
    return statement;
  }

  /** Runs {@code use} with the kept prepared statement for {@code sql}. */
  @Override
  public <T> T prepared(String sql, Use<T> use) throws SQLException {
    return use.apply(prepare(sql));
  }

  void execute(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Runs a query that returns one text value (a PRAGMA, for instance). */
  String queryText(String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        var rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  /**
   * Closes every kept statement, to be prepared again when next used. Called after a statement
   * failed: for most errors (disk full, I/O error, corrupt page...) the driver finalizes the failed
   * statement, which stays in the cache but answers "statement is not executing" to every later
   * use, and the driver gives no way to tell which statements that happened to. The connection
   * itself stays usable: SQLite rolls the transaction back if the error requires it.
   */
  void dropStatements() {
    for (PreparedStatement statement : statements.values()) {
      try {
        statement.close();
      } catch (SQLException ignored) {
        // dropping anyway
      }
    }
    statements.clear();
  }

  @Override
  public void close() {
    dropStatements();
    try {
      connection.close();
    } catch (SQLException ignored) {
      // nothing left to release
    }
  }
}
