package dev.fermata.sqlite;

import dev.fermata.FermataException;
import dev.fermata.spi.StoreClosedException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of read-only connections. In WAL mode they read the last committed state while the
 * writer writes, so reads never wait for a batch.
 */
final class ReaderPool implements AutoCloseable {
  /** A read on one connection. */
  @FunctionalInterface
  interface Read<T> {
    T run(SqlConnection db) throws SQLException;
  }

  private final ArrayBlockingQueue<SqlConnection> idle;
  private final int size;
  private volatile boolean closed;

  ReaderPool(SqliteOptions options) throws SQLException {
    this.size = options.readerPoolSize();
    this.idle = new ArrayBlockingQueue<>(size);
    List<SqlConnection> opened = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        opened.add(SqlConnection.open(options, true));
      }
    } catch (SQLException e) {
      opened.forEach(SqlConnection::close);
      throw e;
    }
    idle.addAll(opened);
  }

  /**
   * Runs {@code read} on an idle connection, waiting for one if all are busy.
   *
   * @throws IllegalStateException if the pool is closed
   */
  <T> T read(Read<T> read) {
    SqlConnection db = borrow();
    try {
      return read.run(db);
    } catch (SQLException e) {
      db.dropStatements();
      throw StorageErrors.ofRead(e);
    } finally {
      idle.add(db);
    }
  }

  private SqlConnection borrow() {
    try {
      while (true) {
        if (closed) {
          throw new StoreClosedException("the store is closed");
        }
        SqlConnection db = idle.poll(100, TimeUnit.MILLISECONDS);
        if (db != null) {
          return db;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FermataException("interrupted while waiting for a SQLite reader", e);
    }
  }

  /** Closes every connection, waiting briefly for reads in progress to give theirs back. */
  @Override
  public void close() {
    closed = true;
    for (int i = 0; i < size; i++) {
      try {
        SqlConnection db = idle.poll(5, TimeUnit.SECONDS);
        if (db != null) {
          db.close();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
