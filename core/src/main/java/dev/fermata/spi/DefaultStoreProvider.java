package dev.fermata.spi;

/**
 * Supplies the store an engine uses when the application names none. Found with {@link
 * java.util.ServiceLoader}; the SQLite module provides one that opens {@code
 * ./fermata-data/fermata.db}.
 */
public interface DefaultStoreProvider {
  DurableStore openDefaultStore();
}
