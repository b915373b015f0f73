package dev.fermata.sqlite;

import dev.fermata.spi.DefaultStoreProvider;
import dev.fermata.spi.DurableStore;
import java.nio.file.Path;

/**
 * Makes SQLite the store an application gets when it names none: {@code ./fermata-data/fermata.db}
 * with the default options. Found through {@link java.util.ServiceLoader}.
 */
public final class SqliteDefaultStoreProvider implements DefaultStoreProvider {
  /** The database file used when the application configures no store. */
  public static final Path DEFAULT_PATH = Path.of("fermata-data", "fermata.db");

  @Override
  public DurableStore openDefaultStore() {
    return SqliteStore.open(DEFAULT_PATH);
  }
}
