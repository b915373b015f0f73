package dev.fermata.postgres;

import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.postgres.support.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/**
 * The fallback the tests take on a machine with no PostgreSQL: an embedded server from Maven
 * Central starts, and the store works on it.
 */
class EmbeddedFallbackTest {
  @Test
  void anEmbeddedServerStartsAndTheStoreRunsOnIt() throws Exception {
    try (EmbeddedPostgres server = TestPostgres.startEmbeddedServer()) {
      PostgresOptions options =
          PostgresOptions.builder(server.getJdbcUrl("postgres", "postgres"))
              .user("postgres")
              .hubName("embedded")
              .build();
      PostgresStore store = PostgresStore.open(options);
      store.start(InstantSource.system());
      try {
        assertThat(store.createInstance(newInstance(pendingRecord("a", "Flow", Instant.now()))))
            .isTrue();
        assertThat(store.nextOrchestration(Duration.ofSeconds(10))).isPresent();
      } finally {
        store.close();
      }
    }
  }
}
