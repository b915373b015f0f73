package dev.fermata.engine;

import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.DurableStore;

class InMemoryEntityFeaturesTest extends EntityFeaturesTest {
  @Override
  protected DurableStore newStore() {
    return new InMemoryStore();
  }
}
