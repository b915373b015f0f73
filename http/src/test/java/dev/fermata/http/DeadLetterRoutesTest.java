package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.TaskFailedException;
import dev.fermata.engine.Counter;
import dev.fermata.entities.EntityId;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.storetest.StoreProxy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listing and re-driving dead letters over real HTTP, with the management key. The dead letters are
 * made by the engine: a store that cannot save one entity's batches, or store one activity's
 * result, until the test lets it.
 */
class DeadLetterRoutesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String KEY = "dl-key";
  private static final String DEAD_LETTERS = "/runtime/webhooks/durabletask/deadletters";
  private static final EntityId COUNTER = new EntityId(Counter.NAME, "k");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final AtomicBoolean broken = new AtomicBoolean(true);
  private Fermata engine;
  private FermataClient client;
  private ManagementApi api;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    engine =
        Fermata.builder()
            .store(breakable(SqliteStore.open(dir.resolve("fermata.db"))))
            .maxDeliveryAttempts(2)
            .entity(Counter.NAME, Counter.FUNCTION)
            .orchestrator(
                "Calls",
                ctx -> {
                  try {
                    return ctx.callActivity("Doomed", null, String.class).await();
                  } catch (TaskFailedException e) {
                    return e.getFailureDetails().errorType();
                  }
                })
            .activity("Doomed", ctx -> "never stored")
            .build()
            .start();
    client = engine.client();
    api =
        ManagementApi.start(
            engine, ManagementApiOptions.defaults().withPort(0).withManagementKey(KEY));
  }

  @AfterEach
  void stop() {
    api.close();
    engine.close();
    http.close();
  }

  /**
   * While {@link #broken}: the counter entity's batches cannot be saved (unless dead-lettered), and
   * the results of activity "Doomed" cannot be stored, so both are delivered until given up on.
   */
  private DurableStore breakable(DurableStore target) {
    return StoreProxy.around(
        target,
        (method, args, next) -> {
          if (broken.get()
              && method.equals("checkpoint")
              && args[0] instanceof Checkpoint c
              && c.instanceId().equals(COUNTER.toString())
              && !c.deadLetter()) {
            return CompletableFuture.failedFuture(new IllegalStateException("disk on fire"));
          }
          if (broken.get()
              && method.equals("completeActivity")
              && args[0] instanceof ActivityWorkItem item
              && item.task().name().equals("Doomed")) {
            return CompletableFuture.failedFuture(new IllegalStateException("disk on fire"));
          }
          return next.call();
        });
  }

  @Test
  void deadLetters_areListedAndAMessageIsReDrivenOverHttp() throws Exception {
    client.signalEntity(COUNTER, "add", 5);
    String calls = client.scheduleNew("Calls", null);
    assertThat(client.waitForCompletion(calls, WAIT).readOutputAs(String.class))
        .isEqualTo("dev.fermata.PoisonMessageException");
    awaitTrue(() -> client.listDeadLetters(null, 0, 10).size() == 2);

    HttpResponse<String> listed = send(request(DEAD_LETTERS).GET());
    assertThat(listed.statusCode()).isEqualTo(200);
    JsonNode all = JSON.readTree(listed.body());
    assertThat(all).hasSize(2);
    JsonNode message = find(all, "message");
    assertThat(message.path("instanceId").asText()).isEqualTo(COUNTER.toString());
    assertThat(message.path("name").asText()).isEqualTo("EntityOperationRequested add");
    assertThat(message.path("deliveryCount").asInt()).isEqualTo(3);
    assertThat(message.path("redrivable").asBoolean()).isTrue();
    assertThat(message.path("reason").asText())
        .contains("failed to process this operation 2 times")
        .contains("disk on fire");
    JsonNode activity = find(all, "activity");
    assertThat(activity.path("instanceId").asText()).isEqualTo(calls);
    assertThat(activity.path("name").asText()).isEqualTo("Doomed");
    assertThat(activity.path("deliveryCount").asInt()).isEqualTo(3);
    assertThat(activity.path("reason").asText()).contains("was delivered 2 times");
    assertThat(activity.path("redrivable").asBoolean()).isFalse();
    assertThat(activity.path("deadLetteredTime").asText()).endsWith("Z");

    HttpResponse<String> firstPage = send(request(DEAD_LETTERS + "?top=1").GET());
    assertThat(JSON.readTree(firstPage.body())).hasSize(1);
    String token = firstPage.headers().firstValue("x-ms-continuation-token").orElseThrow();
    HttpResponse<String> secondPage =
        send(request(DEAD_LETTERS + "?top=1").header("x-ms-continuation-token", token).GET());
    assertThat(JSON.readTree(secondPage.body()).get(0).path("id").asLong())
        .isEqualTo(all.get(1).path("id").asLong());
    HttpResponse<String> onlyCalls = send(request(DEAD_LETTERS + "?instanceId=" + calls).GET());
    assertThat(JSON.readTree(onlyCalls.body())).hasSize(1);

    HttpResponse<String> refused = redrive(activity.path("id").asText());
    assertError(refused, 409, "not_redrivable");
    assertThat(refused.body()).contains("Doomed").contains("cannot be re-driven");
    assertError(redrive("987654"), 404, "dead_letter_not_found");
    assertError(redrive("seven"), 400, "invalid_parameter");
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(origin() + DEAD_LETTERS)).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .as("the management key is required")
        .isEqualTo(401);
    assertThat(client.getEntity(COUNTER, Integer.class)).isEmpty();

    broken.set(false);
    assertThat(redrive(message.path("id").asText()).statusCode()).isEqualTo(202);

    awaitTrue(
        () ->
            client
                .getEntity(COUNTER, Integer.class)
                .map(s -> s.state() != null && s.state() == 5)
                .orElse(false));
    assertThat(JSON.readTree(send(request(DEAD_LETTERS).GET()).body()))
        .singleElement()
        .satisfies(d -> assertThat(d.path("kind").asText()).isEqualTo("activity"));
  }

  private static JsonNode find(JsonNode all, String kind) {
    for (JsonNode d : all) {
      if (d.path("kind").asText().equals(kind)) {
        return d;
      }
    }
    throw new AssertionError("no " + kind + " dead letter in " + all);
  }

  private HttpResponse<String> redrive(String id) {
    return send(
        request(DEAD_LETTERS + "/" + id + "/redrive").POST(HttpRequest.BodyPublishers.noBody()));
  }

  private String origin() {
    return "http://127.0.0.1:" + api.port();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(origin() + path))
        .header("x-functions-key", KEY)
        .timeout(WAIT);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void assertError(HttpResponse<String> r, int status, String error)
      throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo(error);
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      Thread.sleep(20);
    }
  }
}
