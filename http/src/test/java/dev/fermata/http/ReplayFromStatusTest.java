package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.ReplayVerdict;
import dev.fermata.Task;
import dev.fermata.TaskFailedException;
import dev.fermata.engine.Counter;
import dev.fermata.entities.CriticalSection;
import dev.fermata.entities.EntityId;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.RecordedHistory;
import dev.fermata.spi.HistoryCodec;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.testsupport.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A history as the HTTP API shows it ({@code showHistory=true&showHistoryOutput=true}), read back
 * by {@link RecordedHistory} and replayed against the code: every kind of step an orchestration
 * records, tasks answered out of their order, and results the code branches on.
 */
class ReplayFromStatusTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final EntityId COUNTER = new EntityId(Counter.NAME, "replay");

  @TempDir Path dir;

  /** The name the code gives its fan-out's second call; a release may change it. */
  private final AtomicReference<String> secondCall = new AtomicReference<>("Upper");

  /** Lets "Slow" finish only after the fan-out's other call, so the answers come out of order. */
  private final CountDownLatch fastDone = new CountDownLatch(1);

  private Fermata engine;
  private FermataClient client;
  private ManagementApi api;
  private HttpClient http;

  @BeforeEach
  void start() throws Exception {
    engine =
        Fermata.builder()
            .store(SqliteStore.open(dir.resolve("fermata.db")))
            .shutdownGracePeriod(Duration.ofSeconds(2))
            .entity(Counter.NAME, Counter.FUNCTION)
            .orchestrator("Everything", this::everything)
            .orchestrator("Child", ctx -> ctx.getInput(String.class).toLowerCase())
            .orchestrator("Peer", ctx -> ctx.waitForExternalEvent("Hi", String.class).await())
            .activity(
                "Upper",
                String.class,
                (ctx, s) -> {
                  if (s.equals("f")) {
                    fastDone.countDown();
                  }
                  return s.toUpperCase();
                })
            .activity("Lower", String.class, (ctx, s) -> s.toLowerCase())
            .activity(
                "Slow",
                ctx -> fastDone.await(WAIT.toSeconds(), TimeUnit.SECONDS) ? "slow" : "timed out")
            .activity(
                "Broken",
                ctx -> {
                  throw new IllegalStateException("out of stock");
                })
            .build()
            .start();
    client = engine.client();
    api = ManagementApi.start(engine, ManagementApiOptions.defaults().withPort(0));
    http = HttpClient.newHttpClient();
  }

  @AfterEach
  void stop() {
    api.close();
    engine.close();
    http.close();
  }

  private String everything(dev.fermata.OrchestrationContext ctx) {
    String first = ctx.callActivity("Upper", ctx.getInput(String.class), String.class).await();
    // The results steer the code: a history read back without them would take the other branch.
    if (!first.equals("ADA")) {
      ctx.callActivity("Unexpected", first, String.class).await();
    }
    Task<String> slow = ctx.callActivity("Slow", null, String.class);
    Task<String> fast = ctx.callActivity(secondCall.get(), "f", String.class);
    Task.allOf(slow, fast).await();
    ctx.createTimer(Duration.ofMillis(10)).await();
    String child = ctx.callSubOrchestrator("Child", first, null, String.class).await();
    try {
      ctx.callActivity("Broken", null, String.class).await();
      ctx.callActivity("Unexpected", "Broken did not fail", String.class).await();
    } catch (TaskFailedException e) {
      if (!e.getFailureDetails().errorMessage().equals("out of stock")) {
        ctx.callActivity("Unexpected", e.getMessage(), String.class).await();
      }
    }
    ctx.callEntity(COUNTER, "add", 2, Void.class).await();
    ctx.signalEntity(COUNTER, "add", 1);
    int count;
    try (CriticalSection section = ctx.lockEntities(COUNTER)) {
      count = ctx.callEntity(COUNTER, "get", null, Integer.class).await();
    }
    ctx.sendEvent("peer-1", "Hi", first);
    String patched = ctx.isPatched("gift-wrap") ? "wrapped" : "plain";
    String go = ctx.waitForExternalEvent("Go", String.class).await();
    return first + "/" + fast.await() + "/" + child + "/" + count + "/" + patched + "/" + go;
  }

  private JsonNode status(String id, String query) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + api.port()
                            + "/runtime/webhooks/durabletask/instances/"
                            + id
                            + query))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  /** Runs Everything until it waits for "Go", with every other step answered. */
  private String waitingForGo() {
    client.scheduleNew("Peer", null, FermataClient.StartOptions.withId("peer-1"));
    String id = client.scheduleNew("Everything", "ada");
    Poll.until(
        "Everything to send Hi",
        () -> client.getHistory(id).stream().anyMatch(HistoryEvent.EventSent.class::isInstance));
    client.waitForCompletion("peer-1", WAIT);
    return id;
  }

  @Test
  void aRunningInstancesShownHistory_replaysAgainstItsCode_andAChangeIsNamed() throws Exception {
    String id = waitingForGo();
    JsonNode shown = status(id, "?showHistory=true&showHistoryOutput=true");

    RecordedHistory read = RecordedHistory.parse(shown.toString(), "unused");
    ReplayVerdict same = engine.checkReplay(read.instanceId(), read.events());
    secondCall.set("Lower");
    ReplayVerdict changed = engine.checkReplay(read.instanceId(), read.events());

    assertThat(read.instanceId()).isEqualTo(id);
    assertThat(same.outcome()).as(same.message()).isEqualTo(ReplayVerdict.Outcome.MATCHES);
    assertThat(changed.outcome()).isEqualTo(ReplayVerdict.Outcome.DIFFERS);
    assertThat(changed.message())
        .contains("sequence #2")
        .contains("activity 'Upper'")
        .contains("activity 'Lower'");
  }

  @Test
  void theRebuiltHistory_holdsTheStoredStepsAndAnswers() throws Exception {
    String id = waitingForGo();
    client.raiseEvent(id, "Go", "now");
    assertThat(client.waitForCompletion(id, WAIT).readOutputAs(String.class))
        .isEqualTo("ADA/F/ada/3/wrapped/now");
    List<HistoryEvent> stored = client.getHistory(id);

    List<HistoryEvent> rebuilt =
        RecordedHistory.parse(status(id, "?showHistory=true&showHistoryOutput=true").toString(), id)
            .events();

    // The same steps and answers; the view leaves out the episodes' starts and some details.
    assertThat(steps(rebuilt)).containsExactlyInAnyOrderElementsOf(steps(stored));
    assertThat(engine.checkReplay(id, rebuilt).outcome()).isEqualTo(ReplayVerdict.Outcome.MATCHES);
  }

  @Test
  void aHistoryShownWithoutResultsOrIds_isRefusedNamingWhatIsMissing() throws Exception {
    String id = waitingForGo();
    String withoutResults = status(id, "?showHistory=true").toString();
    ObjectNode withoutIds = (ObjectNode) status(id, "?showHistory=true&showHistoryOutput=true");
    withoutIds.get("historyEvents").forEach(e -> ((ObjectNode) e).remove("TaskScheduledId"));

    assertThatThrownBy(() -> RecordedHistory.parse(withoutResults, id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("historyEvents[1] (TaskCompleted) has no Result")
        .hasMessageContaining("showHistoryOutput=true");
    assertThatThrownBy(() -> RecordedHistory.parse(withoutIds.toString(), id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("historyEvents[1] (TaskCompleted) has no TaskScheduledId")
        .hasMessageContaining("./fermata replay --export");
    assertThatThrownBy(() -> RecordedHistory.parse("{\"name\":\"Everything\"}", id))
        .hasMessageContaining("no history in it");
    assertThatThrownBy(() -> RecordedHistory.parse("[{\"EventType\":\"Nap\"}]", id))
        .hasMessageContaining("historyEvents[0] (Nap) has no Timestamp");
  }

  /**
   * Each event as stores keep it, less what the view does not show: the episodes' starts, times
   * (shown to the millisecond), execution and parent ids, and the SDK's request ids.
   */
  private static List<String> steps(List<HistoryEvent> history) {
    return history.stream()
        .filter(e -> !(e instanceof HistoryEvent.OrchestratorStarted))
        .map(
            e -> {
              try {
                ObjectNode o = (ObjectNode) JSON.readTree(HistoryCodec.encode(e));
                o.remove(
                    List.of(
                        "timestamp",
                        "fireAt",
                        "createdAt",
                        "scheduledTime",
                        "scheduledStartTime",
                        "executionId",
                        "parent",
                        "requestId"));
                return o.toString();
              } catch (Exception ex) {
                throw new AssertionError(ex);
              }
            })
        .toList();
  }
}
