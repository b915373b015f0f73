package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.Fermata;
import dev.fermata.postgres.PostgresStore;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.testsupport.Poll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's workers on PostgreSQL: two hosts of one hub, each listed with the work it holds,
 * and the backlog.
 */
class DashboardWorkersTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestPostgres database;

  private final CountDownLatch release = new CountDownLatch(1);
  private Fermata first;
  private Fermata second;
  private ManagementApi api;

  @BeforeAll
  static void createDatabase() {
    database = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    database.close();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (api != null) {
      api.close();
    }
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
  }

  @Test
  void bothHosts_areListed_withTheTaskOneOfThemRuns() throws Exception {
    first = startHost();
    second = startHost();
    api = ManagementApi.start(first, ManagementApiOptions.defaults().withPort(0));
    String id = first.client().scheduleNew("CallBlock", null);

    JsonNode answer =
        Poll.forValue(
            "both hosts listed, one holding the task",
            WAIT,
            () -> {
              JsonNode w = workers();
              return w.path("workers").size() == 2 && sum(w, "tasksHeld") == 1 ? w : null;
            });

    assertThat(answer.path("shared").asBoolean()).isTrue();
    assertThat(answer.path("backlog").path("activityTasks").asLong()).isEqualTo(1);
    List<JsonNode> workers = new ArrayList<>();
    answer.path("workers").forEach(workers::add);
    assertThat(workers)
        .as("the host answering, marked")
        .filteredOn(w -> w.path("self").asBoolean())
        .hasSize(1);
    assertThat(workers)
        .extracting(w -> w.path("tasksHeld").asLong())
        .containsExactlyInAnyOrder(0L, 1L);
    assertThat(workers).allMatch(w -> !w.path("aliveUntil").asText().isEmpty());

    release.countDown();
    assertThat(first.client().waitForCompletion(id, WAIT).getSerializedOutput())
        .isEqualTo("\"released\"");
    Poll.until("the task done", WAIT, () -> sum(workers(), "tasksHeld") == 0);
    assertThat(workers().path("backlog").path("activityTasks").asLong()).isZero();
  }

  /** A host of the hub whose activity holds its task until the test releases it. */
  private Fermata startHost() {
    return Fermata.builder()
        .store(PostgresStore.open(database.options("dashboard").build()))
        .orchestrator("CallBlock", ctx -> ctx.callActivity("Block", null, String.class).await())
        .activity(
            "Block",
            ctx -> {
              release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
              return "released";
            })
        .build()
        .start();
  }

  private static long sum(JsonNode workers, String field) {
    long total = 0;
    for (JsonNode worker : workers.path("workers")) {
      total += worker.path(field).asLong();
    }
    return total;
  }

  private JsonNode workers() throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + api.port() + "/dashboard/api/workers"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return HttpApiTestSupport.JSON.readTree(r.body());
    }
  }
}
