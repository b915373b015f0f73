package dev.fermata.engine;

import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.DurableStore;

class InMemoryReplayingClientTest extends ClientOperationsTest {
  @Override
  protected DurableStore newStore() {
    return new InMemoryStore();
  }

  @Override
  protected int cacheSize() {
    return 0;
  }
}
