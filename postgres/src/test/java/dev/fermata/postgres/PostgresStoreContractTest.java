package dev.fermata.postgres;

import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.DurableStore;
import dev.fermata.storetest.StoreContractTest;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on a real PostgreSQL; each store is a fresh hub in this class's database. */
class PostgresStoreContractTest extends StoreContractTest {
  private static TestPostgres postgres;
  private static int hubs;

  @BeforeAll
  static void createDatabase() {
    postgres = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    postgres.close();
  }

  @Override
  protected DurableStore createStore(InstantSource clock) {
    // The contract's clock jumps minutes ahead while work is held; a lease that long keeps it
    // held (leases running out are tested in LeaseTakeoverTest).
    PostgresStore store =
        PostgresStore.open(
            postgres.options("contract" + ++hubs).leaseDuration(Duration.ofDays(1)).build());
    store.start(clock);
    return store;
  }

  @Override
  protected DurableStore reopen(DurableStore closedStore, InstantSource clock) {
    PostgresStore store = PostgresStore.open(((PostgresStore) closedStore).options());
    store.start(clock);
    return store;
  }
}
