package dev.fermata.grpc;

import dev.fermata.postgres.PostgresStore;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.DurableStore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Java SDK's scenarios on an engine storing in PostgreSQL, a new hub per test. */
class PostgresJavaSdkTest extends JavaSdkScenarios {
  private static final AtomicInteger hubs = new AtomicInteger();
  private static TestPostgres database;

  @BeforeAll
  static void createDatabase() {
    database = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    database.close();
  }

  @Override
  protected DurableStore openStore() {
    return PostgresStore.open(database.options("sdk" + hubs.incrementAndGet()).build());
  }
}
