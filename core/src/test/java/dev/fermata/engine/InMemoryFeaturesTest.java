package dev.fermata.engine;

import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.DurableStore;

class InMemoryFeaturesTest extends OrchestrationFeaturesTest {
  @Override
  protected DurableStore newStore() {
    return new InMemoryStore();
  }
}
