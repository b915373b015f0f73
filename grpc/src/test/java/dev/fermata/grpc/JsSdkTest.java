package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.Fermata;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationContext;
import dev.fermata.OrchestrationStatus;
import dev.fermata.TaskFailedException;
import dev.fermata.entities.EntityContext;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntityQuery;
import dev.fermata.postgres.PostgresStore;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
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
 * with the machine's node) against the sidecar: its worker runs a sequence, an external event, a
 * timer and a counter entity, its client starts and waits for them, signals and reads the entity,
 * and starts an orchestration of the engine's own that calls the JavaScript entity. {@code
 * ./fermata test} installs the package into {@code src/test/js/node_modules} when it is missing.
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
    // Pings every few hundred milliseconds: the SDK must take them among its work items.
    SidecarWorkItems work =
        new SidecarWorkItems(InstantSource.system(), JavaSdkScenarios.PING_INTERVAL);
    try (Fermata engine =
            Fermata.builder()
                .store(store)
                .remoteWorkers(work)
                .orchestrator("CountWithJs", JsSdkTest::countWithJs)
                .entity("audit", JsSdkTest::audit)
                .build()
                .start();
        SidecarServer sidecar = SidecarServer.start(engine, work, "127.0.0.1", 0, null)) {
      Map<String, JsonNode> results = runScenarios("127.0.0.1:" + sidecar.port());

      JsonNode sequence = results.get("sequence");
      assertThat(sequence.get("status").asText()).isEqualTo("COMPLETED");
      assertThat(sequence.get("output").toString())
          .isEqualTo("[\"Hello, Tokyo!\",\"Hello, Seattle!\",\"Hello, London!\"]");
      assertThat(results.get("event").get("output").asText()).isEqualTo("approved by Ana");
      assertThat(results.get("timer").get("output").asLong()).isGreaterThanOrEqualTo(500);
      assertThat(work.pingsSent())
          .as("the SDK echoes tokens, so its stream is pinged while idle (as on the timer)")
          .isPositive();

      JsonNode entities = results.remove("entities");
      assertThat(entities.get("state").asInt())
          .as("5 + 37: the refused operation's change is dropped")
          .isEqualTo(42);
      assertThat(entities.get("javaStatus").asText()).isEqualTo("COMPLETED");
      assertThat(entities.get("javaOutput").get("count").asInt()).isEqualTo(5);
      assertThat(entities.get("javaOutput").get("refused").asText())
          .contains("the counter refuses");
      assertThat(entities.get("listed").toString())
          .isEqualTo("[\"@counter@js-1\",\"@counter@js-2\"]");
      assertThat(entities.get("missing").asBoolean()).isTrue();
      assertThat(engine.client().getEntity(new EntityId("counter", "js-2"), Integer.class))
          .hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(5));

      JsonNode fromSdk = results.get("entityOrchestration");
      assertThat(fromSdk.get("status").asText()).isEqualTo("COMPLETED");
      assertThat(fromSdk.get("output").get("total").asInt()).isEqualTo(10);
      assertThat(fromSdk.get("output").get("javaSays").asText())
          .as("the engine's entity, called from the SDK's orchestration in its critical section")
          .isEqualTo("hello");
      assertThat(fromSdk.get("output").get("refused").asText()).contains("the counter refuses");
      assertThat(engine.client().getEntity(new EntityId("counter", "js-3"), Integer.class))
          .hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(10));
      assertThat(engine.client().queryEntities(EntityQuery.all().withName("counter")).entities())
          .as("every lock the SDK's orchestration took was released")
          .allSatisfy(e -> assertThat(e.lockedBy()).isNull());

      JsonNode calls = results.remove("client");
      List<String> completedIds = new ArrayList<>();
      calls.get("completedIds").forEach(n -> completedIds.add(n.asText()));
      assertThat(completedIds)
          .contains(
              sequence.get("instanceId").asText(), results.get("timer").get("instanceId").asText())
          .noneMatch(id -> id.startsWith("@"));
      List<String> history = new ArrayList<>();
      calls.get("sequenceHistory").forEach(n -> history.add(n.asText()));
      assertThat(history)
          .startsWith("OrchestratorStarted", "ExecutionStarted")
          .endsWith("ExecutionCompleted")
          .filteredOn("TaskCompleted"::equals)
          .hasSize(3);
      assertThat(calls.get("terminatedStatuses").toString())
          .isEqualTo("[\"TERMINATED\",\"TERMINATED\"]");
      for (JsonNode id : calls.get("terminated")) {
        assertThat(engine.client().getInstance(id.asText()).orElseThrow().getStatus())
            .isEqualTo(OrchestrationStatus.TERMINATED);
      }

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

  /** The engine's own entity, for the SDK's orchestration: keeps what it was told last. */
  private static Object audit(EntityContext ctx) {
    if (ctx.operationName().equals("record")) {
      ctx.setState(ctx.getInput(String.class));
      return null;
    }
    return ctx.getState(String.class, () -> "nothing yet");
  }

  /** The engine's own orchestrator: calls the counter entity whose code runs in the SDK. */
  private static Map<String, Object> countWithJs(OrchestrationContext ctx) {
    EntityId counter = new EntityId("counter", ctx.getInput(String.class));
    ctx.callEntity(counter, "add", 2, Integer.class).await();
    int count = ctx.callEntity(counter, "add", 3, Integer.class).await();
    String refused;
    try {
      ctx.callEntity(counter, "refuse", null, Void.class).await();
      refused = "not refused";
    } catch (TaskFailedException e) {
      refused = e.getMessage();
    }
    return Map.of("count", count, "refused", refused);
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
    assertThat(results)
        .containsOnlyKeys(
            List.of("sequence", "event", "timer", "entities", "entityOrchestration", "client"));
    return results;
  }
}
