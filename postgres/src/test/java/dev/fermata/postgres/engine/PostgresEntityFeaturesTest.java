package dev.fermata.postgres.engine;

import dev.fermata.engine.EntityFeaturesTest;
import dev.fermata.postgres.PostgresStore;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.DurableStore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The entity features suite on a real PostgreSQL, each engine on a fresh hub. */
class PostgresEntityFeaturesTest extends EntityFeaturesTest {
  private static final AtomicInteger hubs = new AtomicInteger();
  private static TestPostgres postgres;

  @BeforeAll
  static void createDatabase() {
    postgres = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    postgres.close();
  }

  @Override
  protected DurableStore newStore() {
    return PostgresStore.open(postgres.options("entities" + hubs.incrementAndGet()).build());
  }
}
