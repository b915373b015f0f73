package dev.fermata.engine;

import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.DurableStore;

class InMemoryCachedClientTest extends ClientOperationsTest {
  @Override
  protected DurableStore newStore() {
    return new InMemoryStore();
  }

  @Override
  protected int cacheSize() {
    return 10_000;
  }
}
