package dev.fermata.host;

import static dev.fermata.host.HostTestSupport.await;
import static dev.fermata.host.HostTestSupport.get;
import static dev.fermata.host.HostTestSupport.json;
import static dev.fermata.host.HostTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.FermataException;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationContext;
import dev.fermata.OrchestrationStatus;
import dev.fermata.annotations.Activity;
import dev.fermata.annotations.Orchestrator;
import dev.fermata.postgres.support.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host configured for PostgreSQL the way a user does it: a fermata.json plus variables. */
class PostgresHostTest {
  private static TestPostgres database;
  @TempDir Path dir;

  public static class Functions {
    @Orchestrator("Shout")
    public String shout(OrchestrationContext ctx, String word) {
      String upper = ctx.callActivity("Upper", word, String.class).await();
      return ctx.callActivity("Exclaim", upper, String.class).await();
    }

    @Activity("Upper")
    public String upper(String word) {
      return word.toUpperCase();
    }

    @Activity("Exclaim")
    public String exclaim(String word) {
      return word + "!";
    }
  }

  @BeforeAll
  static void createDatabase() {
    database = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    database.close();
  }

  private Path configFile(String hub, String connectionString) throws Exception {
    Path file = dir.resolve("fermata.json");
    Files.writeString(
        file,
        """
        {
          "extensions": { "durableTask": {
            "hubName": "%s",
            "storageProvider": {
              "type": "postgres",
              "connectionString": "%s",
              "maxQueuePollingInterval": "00:00:00.200"
            } } },
          "http": { "port": 0 },
          "grpc": { "port": 0 }
        }
        """
            .formatted(hub, connectionString));
    return file;
  }

  @Test
  void hostOnPostgres_runsAnOrchestrationStartedOverHttp() throws Exception {
    // The user comes from the environment, as a deployment would pass credentials.
    HostConfig config =
        HostConfigLoader.load(
            configFile("HostOnPg", database.jdbcUrl()),
            Map.of("FERMATA_DURABLETASK_STORAGEPROVIDER_USER", "postgres"));
    assertThat(config.storageType()).isEqualTo("postgres");
    try (FermataHost host = FermataHost.builder(config).register(new Functions()).build().start()) {
      JsonNode started = json(post(host.baseUrl() + "/api/orchestrators/Shout", "\"fermata\""));
      String statusUri = started.get("statusQueryGetUri").asText();
      await(
          "the orchestration to complete",
          () -> {
            try {
              return json(get(statusUri)).get("runtimeStatus").asText().equals("Completed");
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      assertThat(json(get(statusUri)).get("output").asText()).isEqualTo("FERMATA!");

      // The history is in the hub's schema of the configured database, not anywhere else.
      try (var db = database.connect();
          var count = db.createStatement();
          ResultSet row =
              count.executeQuery(
                  "SELECT count(*) FROM fermata_hostonpg.history WHERE instance_id = '"
                      + started.get("id").asText()
                      + "'")) {
        row.next();
        assertThat(row.getInt(1)).isGreaterThan(5);
      }
    }
  }

  @Test
  void hostsWithDifferentTimers_shareAHub_eachTimerRunOnlyWhereItsFunctionIs() throws Exception {
    HostConfig config =
        HostConfigLoader.load(
            configFile("TwoTimerSets", database.jdbcUrl()),
            Map.of("FERMATA_DURABLETASK_STORAGEPROVIDER_USER", "postgres"));
    Queue<String> newer = new ConcurrentLinkedQueue<>();
    Queue<String> older = new ConcurrentLinkedQueue<>();
    // A rolling deployment: the newer release adds the timer "Report" beside "Tick".
    try (FermataHost newRelease =
            FermataHost.builder(config)
                .timer("Tick", "* * * * * *", (info, client) -> newer.add("Tick"))
                .timer("Report", "* * * * * *", (info, client) -> newer.add("Report"))
                .build()
                .start();
        FermataHost oldRelease =
            FermataHost.builder(config)
                .timer("Tick", "* * * * * *", (info, client) -> older.add("Tick"))
                .build()
                .start()) {
      await(
          "six reports, each claiming the next",
          () -> newer.stream().filter("Report"::equals).count() >= 6);

      assertThat(older).doesNotContain("Report");
      List<InstanceState> reports =
          newRelease
              .fermata()
              .client()
              .query(InstanceQuery.all().withInstanceIdPrefix("timer:Report:").withPageSize(100))
              .instances();
      assertThat(reports)
          .extracting(InstanceState::getStatus)
          .doesNotContain(OrchestrationStatus.FAILED, OrchestrationStatus.TERMINATED);
    }
  }

  @Test
  void unreachableDatabase_stopsStartUpWithAnErrorNamingIt() throws Exception {
    HostConfig config =
        HostConfigLoader.load(
            configFile("Unreachable", "jdbc:postgresql://127.0.0.1:1/nowhere"), Map.of());
    FermataHost host = FermataHost.builder(config).register(new Functions()).build();
    try {
      assertThatThrownBy(host::start)
          .isInstanceOf(FermataException.class)
          .hasMessageContaining("cannot open the PostgreSQL store")
          .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/nowhere");
    } finally {
      host.close();
    }
  }

  @Test
  void malformedUrl_isRefusedAsConfiguration() throws Exception {
    HostConfig config =
        HostConfigLoader.load(configFile("BadUrl", "postgres://127.0.0.1/test"), Map.of());
    assertThatThrownBy(() -> FermataHost.builder(config).build())
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("Invalid postgres storage settings")
        .hasMessageContaining("jdbcUrl must start with 'jdbc:postgresql:'");
  }
}
