package dev.fermata.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.StoreFactory;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Opening the store by name from configuration, and the checks on its options. */
class PostgresStoreFactoryTest {
  private final StoreFactory factory =
      ServiceLoader.load(StoreFactory.class).stream()
          .map(ServiceLoader.Provider::get)
          .filter(f -> f.type().equals("postgres"))
          .findFirst()
          .orElseThrow();

  @Test
  void theFactoryIsFoundByTypeAndOpensAWorkingStore() {
    try (TestPostgres postgres = TestPostgres.createDatabase()) {
      DurableStore store =
          factory.open(
              "Configured",
              Map.of(
                  "connectionString", postgres.jdbcUrl(),
                  "user", "postgres",
                  "maxPoolSize", "3",
                  "leaseDuration", "00:00:45",
                  "maxQueuePollingInterval", "PT0.25S"));
      PostgresOptions options = ((PostgresStore) store).options();
      assertThat(options.hubName()).isEqualTo("Configured");
      assertThat(options.maxPoolSize()).isEqualTo(3);
      assertThat(options.leaseDuration()).isEqualTo(Duration.ofSeconds(45));
      assertThat(options.maxQueuePollingInterval()).isEqualTo(Duration.ofMillis(250));
      store.start(InstantSource.system());
      try {
        assertThat(store.getInstance("none")).isEmpty();
      } finally {
        store.close();
      }
    }
  }

  @Test
  void unknownMissingAndMalformedSettings_areRefusedByName() {
    String url = "jdbc:postgresql://localhost/x";
    assertThatThrownBy(() -> factory.open("Hub", Map.of("connectionString", url, "pool", "3")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'pool'")
        .hasMessageContaining("maxPoolSize");
    assertThatThrownBy(() -> factory.open("Hub", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectionString");
    assertThatThrownBy(
            () -> factory.open("Hub", Map.of("connectionString", url, "maxPoolSize", "many")))
        .hasMessageContaining("maxPoolSize")
        .hasMessageContaining("'many'");
    assertThatThrownBy(
            () -> factory.open("Hub", Map.of("connectionString", url, "leaseDuration", "soon")))
        .hasMessageContaining("leaseDuration")
        .hasMessageContaining("00:00:30");
  }

  @Test
  void options_areCheckedWhenBuilt() {
    assertThatThrownBy(() -> PostgresOptions.builder("jdbc:sqlite:x.db").build())
        .hasMessageContaining("jdbc:postgresql:");
    assertThatThrownBy(() -> PostgresOptions.builder("jdbc:postgresql:x").hubName("a-b").build())
        .hasMessageContaining("hubName")
        .hasMessageContaining("'a-b'");
    assertThatThrownBy(() -> PostgresOptions.builder("jdbc:postgresql:x").maxPoolSize(0).build())
        .hasMessageContaining("maxPoolSize");
    assertThatThrownBy(
            () ->
                PostgresOptions.builder("jdbc:postgresql:x")
                    .leaseDuration(Duration.ofMillis(10))
                    .build())
        .hasMessageContaining("leaseDuration");
    assertThatThrownBy(
            () ->
                PostgresOptions.builder("jdbc:postgresql:x")
                    .maxQueuePollingInterval(Duration.ofHours(1))
                    .build())
        .hasMessageContaining("maxQueuePollingInterval");
    PostgresOptions defaults =
        PostgresOptions.builder("jdbc:postgresql:x").password("secret").build();
    assertThat(defaults.schemaName()).isEqualTo("fermata_fermatahub");
    assertThat(defaults.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.toString()).doesNotContain("secret");
  }

  @Test
  void theRedactedUrlHidesEveryPassword_andToStringUsesIt() {
    PostgresOptions options =
        PostgresOptions.builder(
                "jdbc:postgresql://app:pw1@db:5432/fermata?PASSWORD=pw2&ssl=true;password=pw3")
            .password("pw4")
            .build();

    assertThat(options.redactedJdbcUrl())
        .isEqualTo("jdbc:postgresql://app:***@db:5432/fermata?PASSWORD=***&ssl=true;password=***");
    assertThat(options.toString()).doesNotContain("pw1", "pw2", "pw3", "pw4");
    assertThat(PostgresOptions.builder("jdbc:postgresql://db/fermata").build().redactedJdbcUrl())
        .isEqualTo("jdbc:postgresql://db/fermata");
  }
}
