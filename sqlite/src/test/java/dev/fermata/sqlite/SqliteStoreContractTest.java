package dev.fermata.sqlite;

import dev.fermata.spi.DurableStore;
import dev.fermata.storetest.StoreContractTest;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.List;
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

  @Override
  protected List<Long> deadLetteredMessageIds(DurableStore store, String instanceId) {
    try {
      return RawDb.column(
              ((SqliteStore) store).options().path(),
              "SELECT id FROM dead_letters WHERE instance_id = ? ORDER BY id",
              instanceId)
          .stream()
          .map(id -> ((Number) id).longValue())
          .toList();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
