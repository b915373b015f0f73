package dev.fermata.postgres;

import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.FermataException;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.InstanceFilter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Schema creation at start-up: concurrent starts, hub isolation, and a newer schema refused. */
class MigrationsTest {
  private TestPostgres postgres;
  private final List<PostgresStore> stores = new ArrayList<>();

  @BeforeEach
  void createDatabase() {
    postgres = TestPostgres.createDatabase();
  }

  @AfterEach
  void dropDatabase() {
    stores.forEach(PostgresStore::close);
    postgres.close();
    assertThat(TestPostgres.databaseExists(postgres.databaseName())).isFalse();
  }

  @Test
  void workersStartingAtOnce_applyEachMigrationOnce() throws Exception {
    int workers = 6;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<PostgresStore>> started = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        Callable<PostgresStore> start =
            () -> {
              PostgresStore store = PostgresStore.open(postgres.options("Shared").build());
              go.await();
              store.start(InstantSource.system());
              return store;
            };
        started.add(pool.submit(start));
      }
      go.countDown();
      for (Future<PostgresStore> store : started) {
        stores.add(store.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(query("SELECT version FROM fermata_shared.schema_version ORDER BY version"))
        .containsExactlyElementsOf(
            java.util.stream.IntStream.rangeClosed(1, Migrations.latestVersion())
                .mapToObj(String::valueOf)
                .toList());
    assertThat(stores.get(0).createInstance(newInstance(pendingRecord("a", "F", Instant.now()))))
        .isTrue();
    assertThat(stores.get(5).getInstance("a")).isPresent();
  }

  @Test
  void hubsInOneDatabase_doNotSeeEachOthersInstances() throws Exception {
    PostgresStore red = start("Red");
    PostgresStore blue = start("Blue");

    red.createInstance(newInstance(pendingRecord("same-id", "RedFlow", Instant.now())));

    assertThat(blue.getInstance("same-id")).isEmpty();
    assertThat(blue.queryInstances(InstanceFilter.all(), 10, null).instances()).isEmpty();
    assertThat(blue.nextOrchestration(Duration.ofMillis(300))).isEmpty();
    assertThat(
            blue.createInstance(newInstance(pendingRecord("same-id", "BlueFlow", Instant.now()))))
        .as("the id is free in the other hub")
        .isTrue();
    assertThat(red.getInstance("same-id").orElseThrow().name()).isEqualTo("RedFlow");
    assertThat(blue.getInstance("same-id").orElseThrow().name()).isEqualTo("BlueFlow");
    assertThat(red.nextOrchestration(Duration.ofSeconds(10)).orElseThrow().instance().name())
        .isEqualTo("RedFlow");
    assertThat(query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'fermata_%' ORDER BY 1"))
        .containsExactly("fermata_blue", "fermata_red");
  }

  @Test
  void aSchemaWrittenByANewerFermata_isRefusedAndLeftAlone() throws Exception {
    start("Future").close();
    execute(
        "INSERT INTO fermata_future.schema_version VALUES ("
            + (Migrations.latestVersion() + 1)
            + ", 'from the future', 0)");

    PostgresStore store = PostgresStore.open(postgres.options("Future").build());
    assertThatThrownBy(() -> store.start(InstantSource.system()))
        .isInstanceOf(FermataException.class)
        .hasMessageContaining("fermata_future")
        .hasMessageContaining("newer");
    assertThat(query("SELECT count(*) FROM fermata_future.schema_version"))
        .containsExactly(String.valueOf(Migrations.latestVersion() + 1));
  }

  private PostgresStore start(String hub) {
    PostgresStore store = PostgresStore.open(postgres.options(hub).build());
    store.start(InstantSource.system());
    stores.add(store);
    return store;
  }

  private List<String> query(String sql) throws SQLException {
    try (Connection db = postgres.connect();
        Statement statement = db.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection db = postgres.connect();
        Statement statement = db.createStatement()) {
      statement.execute(sql);
    }
  }
}
