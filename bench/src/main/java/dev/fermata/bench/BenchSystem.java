package dev.fermata.bench;

import dev.fermata.memory.InMemoryStore;
import dev.fermata.postgres.PostgresStore;
import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteOptions;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;

/** The systems under test: a store and how it is configured. */
public enum BenchSystem {
  /** SQLite, synchronous=FULL (the durable default), fresh temporary file. */
  SQLITE("fermata-sqlite"),
  /** The in-memory store. */
  MEMORY("fermata-memory"),
  /** SQLite with synchronous=OFF: not durable, reported separately. */
  SQLITE_NOSYNC("fermata-sqlite-nosync"),
  /**
   * PostgreSQL with its default settings (every commit flushed), a fresh hub; see {@link
   * PostgresBench}.
   */
  POSTGRES("fermata-postgres");

  private final String label;

  BenchSystem(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public boolean isSqlite() {
    return this == SQLITE || this == SQLITE_NOSYNC;
  }

  /** Whether the store outlives its process, so an engine can be restarted on it. */
  public boolean isPersistent() {
    return this != MEMORY;
  }

  /**
   * A new, unstarted store; for SQLite, on {@code dbFile} (reopened if it exists); for PostgreSQL,
   * on a hub named after it.
   */
  DurableStore openStore(Path dbFile) {
    return switch (this) {
      case MEMORY -> new InMemoryStore();
      case SQLITE -> SqliteStore.open(sqliteOptions(dbFile, SqliteOptions.Synchronous.FULL));
      case SQLITE_NOSYNC -> SqliteStore.open(sqliteOptions(dbFile, SqliteOptions.Synchronous.OFF));
      case POSTGRES -> PostgresStore.open(PostgresBench.options(dbFile));
    };
  }

  /** Removes what the store left outside {@code dbFile}'s directory. */
  void cleanUp(Path dbFile) {
    if (this == POSTGRES) {
      PostgresBench.dropHub(dbFile);
    }
  }

  private static SqliteOptions sqliteOptions(Path dbFile, SqliteOptions.Synchronous sync) {
    return SqliteOptions.builder(dbFile).synchronous(sync).build();
  }

  public static BenchSystem fromLabel(String label) {
    for (BenchSystem s : values()) {
      if (s.label.equals(label) || s.name().equalsIgnoreCase(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown system: " + label);
  }
}
