package dev.fermata.sqlite;

import dev.fermata.FermataException;
import dev.fermata.spi.StoreUnavailableException;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Tells storage failures (disk full, I/O error, corrupt page...) from other SQL errors, and turns
 * each into the exception a caller gets: {@link StoreUnavailableException} naming the problem for
 * the first, a plain {@link FermataException} for the others.
 */
final class StorageErrors {
  private StorageErrors() {}

  /**
   * What the storage failure is, in a few words, or null if {@code e} is not one. SQLite's extended
   * codes (SQLITE_IOERR_WRITE...) share their primary code's low byte.
   */
  static String problem(SQLException e) {
    if (!(e instanceof SQLiteException sqlite)) {
      return null;
    }
    SQLiteErrorCode code = sqlite.getResultCode();
    int primary = (code == null ? e.getErrorCode() : code.code) & 0xFF;
    return switch (primary) {
      case 13 -> "disk full"; // SQLITE_FULL
      case 10 -> "I/O error"; // SQLITE_IOERR
      case 11 -> "the database file is corrupt"; // SQLITE_CORRUPT
      case 26 -> "the file is not a database"; // SQLITE_NOTADB
      case 14 -> "cannot open the database file"; // SQLITE_CANTOPEN
      case 8 -> "the database is read-only"; // SQLITE_READONLY
      default -> null;
    };
  }

  static boolean isStorageFailure(SQLException e) {
    return problem(e) != null;
  }

  /**
   * The exception for a failed write: {@code "the store cannot write: disk full"}, with SQLite's
   * own message in the cause.
   */
  static FermataException ofWrite(SQLException e) {
    return translate(e, "write");
  }

  /** The exception for a failed read. */
  static FermataException ofRead(SQLException e) {
    return translate(e, "read");
  }

  private static FermataException translate(SQLException e, String action) {
    String problem = problem(e);
    if (problem == null) {
      return new FermataException("SQLite " + action + " failed: " + e.getMessage(), e);
    }
    return new StoreUnavailableException("the store cannot " + action + ": " + problem, e);
  }
}
