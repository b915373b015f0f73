package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.engine.Counter;
import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.testsupport.Inbox;
import dev.fermata.testsupport.Poll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** An engine on SQLite in a temporary directory, the API on a free loopback port, and a client. */
abstract class HttpApiTestSupport {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String BASE = "/runtime/webhooks/durabletask";
  static final ObjectMapper JSON = new ObjectMapper();

  /** When true, the next run of activity "Flaky" fails (for rewind). */
  static final AtomicBoolean FAIL_FLAKY = new AtomicBoolean();

  @TempDir Path dir;
  Fermata engine;
  FermataClient client;
  ManagementApi api;
  HttpClient http;
  String origin;

  /** The management key the API requires, or null. */
  String managementKey() {
    return null;
  }

  /** The options the API starts with. */
  ManagementApiOptions options() {
    return ManagementApiOptions.defaults().withPort(0).withManagementKey(managementKey());
  }

  /** The store the engine uses, given the test's SQLite store (tests may wrap it). */
  DurableStore store(DurableStore sqlite) {
    return sqlite;
  }

  @BeforeEach
  void startApi() throws IOException {
    engine =
        Fermata.builder()
            .store(store(SqliteStore.open(dir.resolve("fermata.db"))))
            .shutdownGracePeriod(Duration.ofSeconds(2))
            .entity(Counter.NAME, Counter.FUNCTION)
            .orchestrator("Echo", ctx -> ctx.getInput(JsonNode.class))
            .orchestrator(
                "Greet",
                ctx -> ctx.callActivity("Hello", ctx.getInput(String.class), String.class).await())
            .activity("Hello", String.class, (ctx, name) -> "Hello, " + name + "!")
            .orchestrator(
                "WaitForGo", ctx -> ctx.waitForExternalEvent("Go", JsonNode.class).await())
            .orchestrator(
                "Parent",
                ctx ->
                    ctx.callSubOrchestrator(
                            "WaitForGo", null, ctx.getInstanceId() + ":child", JsonNode.class)
                        .await())
            .orchestrator(
                "Grandparent",
                ctx ->
                    ctx.callSubOrchestrator(
                            "Parent", null, ctx.getInstanceId() + ":child", JsonNode.class)
                        .await())
            .orchestrator(
                "Fail",
                ctx -> {
                  throw new IllegalStateException("boom");
                })
            .orchestrator(
                "Custom",
                ctx -> {
                  ctx.setCustomStatus(java.util.Map.of("stage", 1));
                  return ctx.waitForExternalEvent("Go", JsonNode.class).await();
                })
            .orchestrator("Flaky", ctx -> ctx.callActivity("FlakyStep", null, String.class).await())
            .activity(
                "FlakyStep",
                ctx -> {
                  if (FAIL_FLAKY.getAndSet(false)) {
                    throw new IllegalStateException("flaky failure");
                  }
                  return "fine";
                })
            .build()
            .start();
    client = engine.client();
    api = ManagementApi.start(engine, options());
    origin = "http://127.0.0.1:" + api.port();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stopApi() {
    api.close();
    engine.close();
    http.close();
  }

  HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return http.send(b.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  HttpRequest.Builder request(String pathOrUrl) {
    return HttpRequest.newBuilder(
        URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : origin + pathOrUrl));
  }

  HttpResponse<String> get(String path) {
    return send(request(path).GET());
  }

  HttpResponse<String> delete(String path) {
    return send(request(path).DELETE());
  }

  HttpResponse<String> post(String path, String jsonBody) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(
                jsonBody == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  static void assertError(HttpResponse<String> r, int status, String error) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode body = json(r);
    assertThat(body.path("error").asText()).isEqualTo(error);
    assertThat(body.path("message").asText()).isNotBlank();
  }

  String startAndWait(String orchestrator, Object input) {
    String id = client.scheduleNew(orchestrator, input);
    client.waitForCompletion(id, WAIT);
    return id;
  }

  String startRunning(String id) {
    client.scheduleNew("WaitForGo", null, FermataClient.StartOptions.withId(id));
    client.waitForStart(id, WAIT);
    return id;
  }

  /** Starts a Grandparent; returns its id, its child's and its grandchild's, all running. */
  List<String> startFamily(String id) {
    client.scheduleNew("Grandparent", null, FermataClient.StartOptions.withId(id));
    List<String> family = List.of(id, id + ":child", id + ":child:child");
    family.forEach(member -> awaitStatus(member, OrchestrationStatus.RUNNING));
    return family;
  }

  void awaitInboxProcessed(String id) {
    Inbox.awaitProcessed(client, id);
  }

  InstanceState awaitStatus(String id, OrchestrationStatus status) {
    return Poll.forValue(
        id + " to become " + status,
        WAIT,
        () -> client.getInstance(id).filter(s -> s.getStatus() == status).orElse(null));
  }
}
