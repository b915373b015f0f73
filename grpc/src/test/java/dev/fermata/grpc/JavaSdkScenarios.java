package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.NewOrchestrationInstanceOptions;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.OrchestrationStatusQuery;
import com.microsoft.durabletask.OrchestrationStatusQueryResult;
import com.microsoft.durabletask.PurgeInstanceCriteria;
import com.microsoft.durabletask.RetryPolicy;
import com.microsoft.durabletask.Task;
import com.microsoft.durabletask.TaskActivity;
import com.microsoft.durabletask.TaskCanceledException;
import com.microsoft.durabletask.TaskOptions;
import com.microsoft.durabletask.TaskOrchestration;
import dev.fermata.Fermata;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.DurableStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The unmodified durabletask-java SDK (1.5.0, from Maven Central) against a Fermata engine serving
 * the sidecar protocol: its worker runs the orchestrations and activities, its client drives them.
 * Each store's test class runs these scenarios on that store.
 */
abstract class JavaSdkScenarios {
  /** Pings idle streams far more often than a host does, so that every test sees them. */
  static final Duration PING_INTERVAL = Duration.ofMillis(300);

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final Map<String, TaskOrchestration> orchestrations = new ConcurrentHashMap<>();
  private final Map<String, TaskActivity> activities = new ConcurrentHashMap<>();
  private final List<DurableTaskGrpcWorker> workers = new ArrayList<>();
  private Fermata engine;
  private SidecarServer sidecar;
  protected DurableTaskClient client;
  private SidecarWorkItems workItems;

  /** A new, empty store for one test. */
  protected abstract DurableStore openStore() throws Exception;

  @BeforeEach
  void startEngine() throws Exception {
    // Pings every few hundred milliseconds, to any stream that may take them.
    workItems = new SidecarWorkItems(InstantSource.system(), PING_INTERVAL);
    engine =
        Fermata.builder()
            .store(openStore())
            .remoteWorkers(workItems)
            // The engine's own code, calling what only the SDK worker has.
            .orchestrator(
                "EngineCallsSdk",
                ctx -> {
                  String hello =
                      ctx.callActivity("SayHello", ctx.getInput(String.class), String.class)
                          .await();
                  List<?> cities =
                      ctx.callSubOrchestrator(
                              "Sequence", null, ctx.getInstanceId() + "-sdk", List.class)
                          .await();
                  return hello + " " + cities;
                })
            .build()
            .start();
    sidecar = SidecarServer.start(engine, workItems, "127.0.0.1", 0, null);
    client = new DurableTaskGrpcClientBuilder().port(sidecar.port()).build();
    registerFunctions();
  }

  @AfterEach
  void stopEngine() {
    assertThat(workItems.pingsSent())
        .as("durabletask-java 1.5.0 sends no tokens (and logs a warning for a ping): never pinged")
        .isZero();
    workers.forEach(DurableTaskGrpcWorker::close);
    if (client != null) {
      client.close();
    }
    if (sidecar != null) {
      sidecar.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  // ---- the functions the SDK worker runs ----

  private final AtomicInteger flakyCalls = new AtomicInteger();
  private final AtomicBoolean failOnce = new AtomicBoolean();
  private volatile CountDownLatch blockedActivity = new CountDownLatch(0);
  private final CountDownLatch blockedActivityStarted = new CountDownLatch(1);

  private void registerFunctions() {
    activities.put("SayHello", ctx -> "Hello, " + ctx.getInput(String.class) + "!");
    activities.put("Double", ctx -> ctx.getInput(Integer.class) * 2);
    activities.put(
        "Flaky",
        ctx -> {
          if (flakyCalls.incrementAndGet() < 3) {
            throw new IllegalStateException("flaky failure " + flakyCalls.get());
          }
          return "worked on attempt " + flakyCalls.get();
        });
    activities.put(
        "Fail",
        ctx -> {
          throw new IllegalArgumentException("the card was declined");
        });
    orchestrations.put(
        "Sequence",
        ctx -> {
          String a = ctx.callActivity("SayHello", "Tokyo", String.class).await();
          String b = ctx.callActivity("SayHello", "Seattle", String.class).await();
          String c = ctx.callActivity("SayHello", "London", String.class).await();
          ctx.complete(List.of(a, b, c));
        });
    orchestrations.put(
        "FanOut",
        ctx -> {
          int n = ctx.getInput(Integer.class);
          List<Task<Integer>> calls = new ArrayList<>();
          for (int i = 1; i <= n; i++) {
            calls.add(ctx.callActivity("Double", i, Integer.class));
          }
          ctx.complete(ctx.allOf(calls).await().stream().mapToInt(Integer::intValue).sum());
        });
    orchestrations.put(
        "Timer",
        ctx -> {
          Instant before = ctx.getCurrentInstant();
          ctx.createTimer(Duration.ofMillis(500)).await();
          ctx.complete(Duration.between(before, ctx.getCurrentInstant()).toMillis());
        });
    orchestrations.put(
        "Approval",
        ctx -> {
          Duration timeout = Duration.ofMillis(ctx.getInput(Integer.class));
          try {
            ctx.complete(
                "approved by "
                    + ctx.waitForExternalEvent("Approve", timeout, String.class).await());
          } catch (TaskCanceledException e) {
            ctx.complete("timed out");
          }
        });
    orchestrations.put(
        "Parent",
        ctx -> {
          int child =
              ctx.callSubOrchestrator("Child", 41, ctx.getInstanceId() + "-child", Integer.class)
                  .await();
          ctx.complete(child);
        });
    orchestrations.put("Child", ctx -> ctx.complete(ctx.getInput(Integer.class) + 1));
    orchestrations.put(
        "Counter",
        ctx -> {
          int count = ctx.getInput(Integer.class);
          if (count == 10) {
            ctx.complete(count);
            return;
          }
          ctx.waitForExternalEvent("Add", Integer.class).await();
          ctx.continueAsNew(count + 1, true);
        });
    orchestrations.put(
        "Retrying",
        ctx ->
            ctx.complete(
                ctx.callActivity(
                        "Flaky",
                        null,
                        new TaskOptions(new RetryPolicy(5, Duration.ofMillis(100))),
                        String.class)
                    .await()));
    orchestrations.put("Failing", ctx -> ctx.callActivity("Fail", null, String.class).await());
    orchestrations.put(
        "WaitForGo",
        ctx -> {
          ctx.setCustomStatus("waiting for go");
          ctx.complete(ctx.waitForExternalEvent("Go", String.class).await());
        });
    activities.put(
        "FailOnce",
        ctx -> {
          if (failOnce.compareAndSet(false, true)) {
            throw new IllegalStateException("the first call fails");
          }
          return "second call worked";
        });
    orchestrations.put(
        "Rewindable",
        ctx -> ctx.complete(ctx.callActivity("FailOnce", null, String.class).await()));
    orchestrations.put(
        "ApproveThenGreet",
        ctx -> {
          String approver = ctx.waitForExternalEvent("Approve", String.class).await();
          ctx.complete(ctx.callActivity("SayHello", approver, String.class).await());
        });
    orchestrations.put("StartedAt", ctx -> ctx.complete(ctx.getCurrentInstant().toString()));
    orchestrations.put(
        "Worked", ctx -> ctx.complete(ctx.callActivity("WhichWorker", null, String.class).await()));
  }

  /** Starts a worker named {@code name}; its activity "WhichWorker" answers with that name. */
  private DurableTaskGrpcWorker startWorker(String name) {
    Map<String, TaskActivity> mine = new HashMap<>(activities);
    mine.put(
        "WhichWorker",
        ctx -> {
          blockedActivityStarted.countDown();
          try {
            blockedActivity.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return name;
        });
    DurableTaskGrpcWorker worker = SdkWorkers.start(sidecar.port(), orchestrations, mine);
    workers.add(worker);
    return worker;
  }

  private OrchestrationMetadata run(String name, Object input) throws TimeoutException {
    String id = client.scheduleNewOrchestrationInstance(name, input);
    return client.waitForInstanceCompletion(id, WAIT, true);
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private OrchestrationRuntimeStatus status(String id) {
    return client.getInstanceMetadata(id, false).getRuntimeStatus();
  }

  // ---- scenarios ----

  @Test
  void aVersionGivenByTheClient_isKeptWithTheInstance() throws Exception {
    startWorker("w1");
    String id =
        client.scheduleNewOrchestrationInstance(
            "Sequence", new NewOrchestrationInstanceOptions().setVersion("3.1"));
    client.waitForInstanceCompletion(id, WAIT, false);

    assertThat(engine.client().getInstance(id).orElseThrow().getVersion()).isEqualTo("3.1");
    assertThat(engine.client().getHistory(id))
        .filteredOn(HistoryEvent.ExecutionStarted.class::isInstance)
        .singleElement()
        .extracting(e -> ((HistoryEvent.ExecutionStarted) e).version())
        .isEqualTo("3.1");
  }

  @Test
  void sequence() throws Exception {
    startWorker("w1");
    OrchestrationMetadata done = run("Sequence", null);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(List.class))
        .containsExactly("Hello, Tokyo!", "Hello, Seattle!", "Hello, London!");
  }

  @Test
  void anEngineOrchestration_callsTheSdkWorkersActivityAndOrchestration() throws Exception {
    startWorker("w1");
    OrchestrationMetadata done = run("EngineCallsSdk", "Paris");
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class))
        .isEqualTo("Hello, Paris! [Hello, Tokyo!, Hello, Seattle!, Hello, London!]");
    assertThat(client.getInstanceMetadata(done.getInstanceId() + "-sdk", false).getRuntimeStatus())
        .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
  }

  @Test
  void fanOutAndIn_ofAHundred() throws Exception {
    startWorker("w1");
    OrchestrationMetadata done = run("FanOut", 100);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(Integer.class)).isEqualTo(100 * 101);
  }

  @Test
  void durableTimer() throws Exception {
    startWorker("w1");
    OrchestrationMetadata done = run("Timer", null);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(Long.class)).isGreaterThanOrEqualTo(500L);
  }

  @Test
  void externalEvent_arrivesOrTimesOut() throws Exception {
    startWorker("w1");
    String id = client.scheduleNewOrchestrationInstance("Approval", 60_000);
    client.waitForInstanceStart(id, WAIT);
    client.raiseEvent(id, "Approve", "Ana");
    assertThat(client.waitForInstanceCompletion(id, WAIT, true).readOutputAs(String.class))
        .isEqualTo("approved by Ana");

    assertThat(run("Approval", 300).readOutputAs(String.class)).isEqualTo("timed out");
  }

  @Test
  void subOrchestration() throws Exception {
    startWorker("w1");
    OrchestrationMetadata done = run("Parent", null);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(Integer.class)).isEqualTo(42);
    OrchestrationMetadata child = client.getInstanceMetadata(done.getInstanceId() + "-child", true);
    assertThat(child.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
  }

  @Test
  void continueAsNew_keepsEventsThatArriveDuringTheSwitch() throws Exception {
    startWorker("w1");
    String id = client.scheduleNewOrchestrationInstance("Counter", 0);
    for (int i = 0; i < 10; i++) {
      client.raiseEvent(id, "Add", i);
    }
    OrchestrationMetadata done = client.waitForInstanceCompletion(id, WAIT, true);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(Integer.class)).isEqualTo(10);
  }

  @Test
  void retries_thenSucceeds() throws Exception {
    startWorker("w1");
    OrchestrationMetadata done = run("Retrying", null);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("worked on attempt 3");
  }

  @Test
  void failure_carriesTheActivitysDetails() throws Exception {
    startWorker("w1");
    OrchestrationMetadata done = run("Failing", null);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
    assertThat(done.getFailureDetails().getErrorMessage()).contains("the card was declined");
    assertThat(done.getFailureDetails().getErrorType())
        .isEqualTo("com.microsoft.durabletask.TaskFailedException");
  }

  @Test
  void suspendResumeAndCustomStatus() throws Exception {
    startWorker("w1");
    String id = client.scheduleNewOrchestrationInstance("WaitForGo");
    client.waitForInstanceStart(id, WAIT);
    await(
        "custom status set",
        () ->
            "waiting for go"
                .equals(client.getInstanceMetadata(id, true).readCustomStatusAs(String.class)));
    client.suspendInstance(id, "maintenance");
    await("suspended", () -> status(id) == OrchestrationRuntimeStatus.SUSPENDED);
    client.raiseEvent(id, "Go", "went");
    client.resumeInstance(id, "done");
    OrchestrationMetadata done = client.waitForInstanceCompletion(id, WAIT, true);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("went");
  }

  @Test
  void terminate() throws Exception {
    startWorker("w1");
    String id = client.scheduleNewOrchestrationInstance("WaitForGo");
    client.waitForInstanceStart(id, WAIT);
    client.terminate(id, "no longer needed");
    OrchestrationMetadata done = client.waitForInstanceCompletion(id, WAIT, true);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("no longer needed");
  }

  @Test
  void waitForCompletion_timesOutWithTheSdksException() throws Exception {
    startWorker("w1");
    String id = client.scheduleNewOrchestrationInstance("WaitForGo");
    assertThatThrownBy(() -> client.waitForInstanceCompletion(id, Duration.ofMillis(300), false))
        .isInstanceOf(TimeoutException.class);
  }

  @Test
  void queryAndPurge() throws Exception {
    startWorker("w1");
    Instant before = Instant.now();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id =
          client.scheduleNewOrchestrationInstance(
              "Sequence", new NewOrchestrationInstanceOptions().setInstanceId("query-" + i));
      ids.add(id);
      client.waitForInstanceCompletion(id, WAIT, false);
    }
    OrchestrationStatusQueryResult found =
        client.queryInstances(
            new OrchestrationStatusQuery()
                .setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.COMPLETED))
                .setInstanceIdPrefix("query-")
                .setMaxInstanceCount(2));
    assertThat(found.getOrchestrationState()).hasSize(2);
    assertThat(found.getContinuationToken()).isNotNull();
    OrchestrationStatusQueryResult rest =
        client.queryInstances(
            new OrchestrationStatusQuery()
                .setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.COMPLETED))
                .setInstanceIdPrefix("query-")
                .setMaxInstanceCount(2)
                .setContinuationToken(found.getContinuationToken()));
    assertThat(rest.getOrchestrationState()).hasSize(1);

    assertThat(client.purgeInstance(ids.get(0)).getDeletedInstanceCount()).isEqualTo(1);
    assertThat(client.getInstanceMetadata(ids.get(0), false).isInstanceFound()).isFalse();
    assertThat(
            client
                .purgeInstances(
                    new PurgeInstanceCriteria()
                        .setCreatedTimeFrom(before)
                        .setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.COMPLETED)))
                .getDeletedInstanceCount())
        .isEqualTo(2);
  }

  @Test
  void restart_replacesAFinishedInstance() throws Exception {
    startWorker("w1");
    OrchestrationMetadata first = run("Sequence", null);
    String again = client.restartInstance(first.getInstanceId(), false);
    assertThat(again).isEqualTo(first.getInstanceId());
    OrchestrationMetadata done = client.waitForInstanceCompletion(again, WAIT, true);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.getCreatedAt()).isAfterOrEqualTo(first.getCreatedAt());
  }

  @Test
  void scheduledStart_waitsUntilItsTime() throws Exception {
    startWorker("w1");
    Instant startAt = Instant.now().plusSeconds(1);
    String id =
        client.scheduleNewOrchestrationInstance(
            "StartedAt", new NewOrchestrationInstanceOptions().setStartTime(startAt));
    OrchestrationMetadata done = client.waitForInstanceCompletion(id, WAIT, true);
    assertThat(Instant.parse(done.readOutputAs(String.class))).isAfterOrEqualTo(startAt);
  }

  @Test
  void anEventRaisedBeforeAScheduledStart_waitsForTheStart() throws Exception {
    startWorker("w1");
    String id =
        client.scheduleNewOrchestrationInstance(
            "ApproveThenGreet",
            new NewOrchestrationInstanceOptions().setStartTime(Instant.now().plusSeconds(1)));
    client.raiseEvent(id, "Approve", "Eve");
    // The episode after the activity replays a history where the event precedes the start.
    OrchestrationMetadata done = client.waitForInstanceCompletion(id, WAIT, true);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("Hello, Eve!");
  }

  @Test
  void rewind_runsTheFailedCallAgain() throws Exception {
    startWorker("w1");
    OrchestrationMetadata failed = run("Rewindable", null);
    assertThat(failed.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
    // The 1.5.0 client has no rewind; the engine's own client (or the HTTP API) does it.
    engine.client().rewind(failed.getInstanceId(), "the card was replaced");
    // Until the rewind is processed the instance is still Failed, which a wait would return.
    await(
        "completed", () -> status(failed.getInstanceId()) == OrchestrationRuntimeStatus.COMPLETED);
    OrchestrationMetadata done = client.getInstanceMetadata(failed.getInstanceId(), true);
    assertThat(done.readOutputAs(String.class)).isEqualTo("second call worked");
  }

  @Test
  void twoWorkers_shareTheLoad() throws Exception {
    startWorker("w1");
    startWorker("w2");
    await("both workers connected", () -> sidecar.connectedWorkers() == 2);
    OrchestrationMetadata done = run("FanOut", 100);
    assertThat(done.readOutputAs(Integer.class)).isEqualTo(100 * 101);
    // The sidecar spreads the calls; what each worker's stream was sent shows it.
    assertThat(sidecar.itemsSentPerWorker()).hasSize(2).allSatisfy(n -> assertThat(n).isPositive());
  }

  @Test
  void aWorkerThatGoesAwayMidItem_itsItemGoesToTheNext() throws Exception {
    blockedActivity = new CountDownLatch(1);
    DurableTaskGrpcWorker first = startWorker("first");
    await("first worker connected", () -> sidecar.connectedWorkers() == 1);
    String id = client.scheduleNewOrchestrationInstance("Worked");
    assertThat(blockedActivityStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    startWorker("second");
    await("second worker connected", () -> sidecar.connectedWorkers() == 2);
    first.close(); // its stream ends with the activity call still out
    workers.remove(first);
    blockedActivity.countDown();
    OrchestrationMetadata done = client.waitForInstanceCompletion(id, WAIT, true);
    assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("second");
  }
}
