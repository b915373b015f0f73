package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.Fermata;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.postgres.PostgresStore;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JavaScript Durable Task SDK ({@code @microsoft/durabletask-js} from the npm registry, run
 * with the machine's node) against the sidecar: its worker runs a sequence, an external event and a
 * timer, its client starts and waits for them. {@code ./fermata test} installs the package into
 * {@code src/test/js/node_modules} when it is missing.
 */
class JsSdkTest {
  private static final Path SCRIPTS = Path.of("src", "test", "js");

  @TempDir Path dir;

  private static TestPostgres database;

  @BeforeAll
  static void createDatabase() {
    database = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    database.close();
  }

  @Test
  void onSqlite() throws Exception {
    sequenceEventAndTimer_runInTheJavaScriptSdk(SqliteStore.open(dir.resolve("js.db")));
  }

  @Test
  void onPostgres() throws Exception {
    sequenceEventAndTimer_runInTheJavaScriptSdk(
        PostgresStore.open(database.options("jssdk").build()));
  }

  private void sequenceEventAndTimer_runInTheJavaScriptSdk(DurableStore store) throws Exception {
    assertThat(SCRIPTS.resolve("node_modules/@microsoft/durabletask-js"))
        .as(
            "the JavaScript SDK, installed by ./fermata test (or: npm ci --prefix %s)",
            SCRIPTS.toAbsolutePath())
        .isDirectory();
    SidecarWorkItems work = new SidecarWorkItems(InstantSource.system());
    try (Fermata engine = Fermata.builder().store(store).remoteWorkers(work).build().start();
        SidecarServer sidecar = SidecarServer.start(engine, work, "127.0.0.1", 0, null)) {
      Map<String, JsonNode> results = runScenarios("127.0.0.1:" + sidecar.port());

      JsonNode sequence = results.get("sequence");
      assertThat(sequence.get("status").asText()).isEqualTo("COMPLETED");
      assertThat(sequence.get("output").toString())
          .isEqualTo("[\"Hello, Tokyo!\",\"Hello, Seattle!\",\"Hello, London!\"]");
      assertThat(results.get("event").get("output").asText()).isEqualTo("approved by Ana");
      assertThat(results.get("timer").get("output").asLong()).isGreaterThanOrEqualTo(500);

      // The instances are the engine's: stored, with their history, like any other.
      for (JsonNode result : results.values()) {
        InstanceState state =
            engine.client().getInstance(result.get("instanceId").asText()).orElseThrow();
        assertThat(state.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
      }
      assertThat(
              engine
                  .client()
                  .getInstance(sequence.get("instanceId").asText())
                  .orElseThrow()
                  .getName())
          .isEqualTo("sequence");
    }
  }

  private Map<String, JsonNode> runScenarios(String address)
      throws IOException, InterruptedException {
    Path out = dir.resolve("node.out");
    Path err = dir.resolve("node.err");
    Process node =
        new ProcessBuilder("node", "scenarios.js", address)
            .directory(SCRIPTS.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean ended = node.waitFor(3, TimeUnit.MINUTES);
    if (!ended) {
      node.destroyForcibly();
    }
    assertThat(ended)
        .as("node ended within 3 minutes; its errors:\n%s", Files.readString(err))
        .isTrue();
    assertThat(node.exitValue())
        .as("node's exit code; its errors:\n%s", Files.readString(err))
        .isZero();
    ObjectMapper json = new ObjectMapper();
    Map<String, JsonNode> results = new HashMap<>();
    for (String line : Files.readAllLines(out)) {
      JsonNode result = json.readTree(line);
      results.put(result.get("scenario").asText(), result);
    }
    assertThat(results).containsOnlyKeys(List.of("sequence", "event", "timer"));
    return results;
  }
}
