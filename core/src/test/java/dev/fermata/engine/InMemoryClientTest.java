package dev.fermata.engine;

import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.DurableStore;

class InMemoryClientTest extends ClientOperationsTest {
  @Override
  protected DurableStore newStore() {
    return new InMemoryStore();
  }
}
