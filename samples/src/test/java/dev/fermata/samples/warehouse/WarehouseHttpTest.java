package dev.fermata.samples.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.samples.SampleHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warehouse sample in a real host, driven over HTTP as its walkthrough does. */
class WarehouseHttpTest {
  @TempDir Path dir;

  @Test
  void getStartsTheOrchestration_andEventShipShipsTheOrder() throws Exception {
    try (SampleHost host =
        SampleHost.start(dir, new WarehouseModule(new WarehouseSettings(Duration.ofMinutes(10))))) {
      HttpResponse<String> started = host.get("/api/DurableFunction_HttpStart");

      assertThat(started.statusCode()).isEqualTo(202);
      JsonNode checkStatus = SampleHost.json(started);
      String id = checkStatus.get("id").asText();
      assertThat(started.headers().firstValue("Location"))
          .contains(checkStatus.get("statusQueryGetUri").asText());
      host.awaitStatus(id, "Running");

      assertThat(host.raiseEvent(checkStatus, "Event_Ship", null).statusCode()).isEqualTo(202);

      JsonNode done = host.awaitStatus(id, "Completed");
      assertThat(done.get("name").asText()).isEqualTo("DurableFunction_Orchestrator");
      assertThat(done.get("output").toString()).isEqualTo("[\"The order is shipped!\"]");
    }
  }

  @Test
  void postStartsItToo_andWithoutTheEventTheOrderIsEscalated() throws Exception {
    try (SampleHost host =
        SampleHost.start(dir, new WarehouseModule(new WarehouseSettings(Duration.ofMillis(200))))) {
      HttpResponse<String> started = host.post("/api/DurableFunction_HttpStart", null);

      assertThat(started.statusCode()).isEqualTo(202);
      String id = SampleHost.json(started).get("id").asText();
      JsonNode done = host.awaitStatus(id, "Completed");
      assertThat(done.get("output").toString())
          .isEqualTo("[\"The order is escalated to Head of department!\"]");
    }
  }
}
