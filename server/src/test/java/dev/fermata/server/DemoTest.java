package dev.fermata.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.InstanceState;
import dev.fermata.history.HistoryEvent;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
  @TempDir Path dir;

  @Test
  void theDemoShipsTheOrder_afterRetryingTheJammedPrinter() {
    try (Fermata fermata =
        Demo.addFunctions(Fermata.builder().store(SqliteStore.open(dir.resolve("demo.db"))))
            .build()
            .start()) {
      String id =
          fermata.client().scheduleNew(Demo.ORCHESTRATOR, new Demo.Order("T-1", List.of("a")));
      InstanceState done = fermata.client().waitForCompletion(id, Duration.ofSeconds(30));

      assertThat(done.readOutputAs(String.class))
          .isEqualTo("Shipped 1 box(es) with label-T-1, auto-approved");
      List<HistoryEvent> history = fermata.client().getHistory(id);
      assertThat(history).filteredOn(HistoryEvent.TaskFailed.class::isInstance).hasSize(1);
      assertThat(history.stream().map(HistoryLines::describe))
          .anyMatch(line -> line.contains("TaskFailed") && line.contains("printer jammed"));
    }
  }

  @Test
  void theLauncherFindsTheDemoOnTheClassPath() {
    assertThat(Main.discoverModules()).hasAtLeastOneElementOfType(Demo.class);
  }

  @Test
  void theReadmeCurlExample_startsTheDemoThroughTheHost() throws Exception {
    var config =
        dev.fermata.host.HostConfig.defaults()
            .withGrpcPort(null)
            .withPort(0)
            .withStorage("sqlite", java.util.Map.of("path", dir.resolve("host.db").toString()));
    var builder = dev.fermata.host.FermataHost.builder(config);
    builder.module(new Demo());
    try (var host = builder.build().start()) {
      var http = java.net.http.HttpClient.newHttpClient();
      var response =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(host.baseUrl() + "/api/orders"))
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "{\"id\": \"A-1001\", \"items\": [\"lamp\", \"desk\"]}"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(202);
      String id =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(response.body())
              .get("id")
              .asText();
      assertThat(response.headers().firstValue("Location").orElseThrow())
          .endsWith("/instances/" + id);
      InstanceState done = host.fermata().client().waitForCompletion(id, Duration.ofSeconds(60));
      assertThat(done.readOutputAs(String.class))
          .isEqualTo("Shipped 2 box(es) with label-A-1001, auto-approved");
    }
  }
}
