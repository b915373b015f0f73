package dev.fermata.engine;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.InstanceState;
import dev.fermata.spi.DurableStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * Builds engines for tests on a store of the subclass's choosing, with or without the instance
 * cache, and closes them afterwards. Subclasses decide the store, so the same feature tests run on
 * every store.
 */
public abstract class EngineTestSupport {
  protected static final Duration WAIT = Duration.ofSeconds(30);

  private final List<Fermata> engines = new ArrayList<>();
  protected Fermata engine;
  protected FermataClient client;

  /** A new, empty store (or the same durable store again, for restart tests). */
  protected abstract DurableStore newStore();

  /** Opens the store the previous engine used again (durable stores), or null if impossible. */
  protected DurableStore reopenStore() {
    return null;
  }

  /** Instance cache size: 0 makes every episode replay from history. */
  protected abstract int cacheSize();

  protected Fermata start(UnaryOperator<Fermata.Builder> functions) {
    return start(newStore(), functions);
  }

  protected Fermata start(DurableStore store, UnaryOperator<Fermata.Builder> functions) {
    Fermata.Builder b =
        Fermata.builder()
            .store(store)
            .instanceCacheSize(cacheSize())
            .shutdownGracePeriod(Duration.ofSeconds(5));
    engine = functions.apply(b).build().start();
    engines.add(engine);
    client = engine.client();
    return engine;
  }

  protected InstanceState run(String orchestrator, Object input) {
    String id = client.scheduleNew(orchestrator, input);
    return client.waitForCompletion(id, WAIT);
  }

  @AfterEach
  void closeEngines() {
    for (Fermata f : engines) {
      f.close();
    }
    engines.clear();
  }
}
