package dev.fermata.sqlite;

import dev.fermata.spi.DurableStore;
import dev.fermata.storetest.StoreContractTest;
import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreContractTest extends StoreContractTest {
  @TempDir Path dir;
  private int opened;

  @Override
  protected DurableStore createStore(InstantSource clock) {
    SqliteStore store = SqliteStore.open(dir.resolve("store-" + ++opened + ".db"));
    store.start(clock);
    return store;
  }

  @Override
  protected DurableStore reopen(DurableStore closedStore, InstantSource clock) {
    SqliteStore store = SqliteStore.open(((SqliteStore) closedStore).options());
    store.start(clock);
    return store;
  }
}
