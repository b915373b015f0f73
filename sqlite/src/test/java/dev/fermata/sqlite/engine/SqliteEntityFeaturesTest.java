package dev.fermata.sqlite.engine;

import dev.fermata.engine.EntityFeaturesTest;
import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The entity features suite on real SQLite files (synchronous=FULL). */
class SqliteEntityFeaturesTest extends EntityFeaturesTest {
  private final AtomicInteger files = new AtomicInteger();
  @TempDir Path dir;

  @Override
  protected DurableStore newStore() {
    return SqliteStore.open(dir.resolve("fermata-" + files.incrementAndGet() + ".db"));
  }
}
