package dev.fermata.memory;

import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InboxMessage;
import dev.fermata.storetest.StoreContractTest;
import java.time.InstantSource;
import java.util.List;

class InMemoryStoreTest extends StoreContractTest {
  @Override
  protected DurableStore createStore(InstantSource clock) {
    InMemoryStore store = new InMemoryStore();
    store.start(clock);
    return store;
  }

  @Override
  protected List<Long> deadLetteredMessageIds(DurableStore store, String instanceId) {
    return ((InMemoryStore) store).deadLetters(instanceId).stream().map(InboxMessage::id).toList();
  }
}
