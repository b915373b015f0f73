package dev.fermata.memory;

import dev.fermata.spi.DurableStore;
import dev.fermata.storetest.StoreContractTest;
import java.time.InstantSource;

class InMemoryStoreTest extends StoreContractTest {
  @Override
  protected DurableStore createStore(InstantSource clock) {
    InMemoryStore store = new InMemoryStore();
    store.start(clock);
    return store;
  }
}
