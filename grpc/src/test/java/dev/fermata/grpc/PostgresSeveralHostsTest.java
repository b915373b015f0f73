package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.TaskActivity;
import com.microsoft.durabletask.TaskOrchestration;
import dev.fermata.Fermata;
import dev.fermata.postgres.PostgresStore;
import dev.fermata.postgres.support.TestPostgres;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two hosts sharing one PostgreSQL hub, with Durable Task SDK workers connected to only one of
 * them: the work of the SDK's functions goes to the host its workers are connected to, whichever
 * host the instance was started on, and work a host held when its last worker left is given back.
 */
class PostgresSeveralHostsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final AtomicInteger hubs = new AtomicInteger();
  private static TestPostgres database;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Host first;
  private Host second;
  private String hub;

  /** One host: an engine with its sidecar, and an SDK client talking to it. */
  private record Host(
      SidecarWorkItems workItems, SidecarServer sidecar, DurableTaskClient client) {}

  @BeforeAll
  static void createDatabase() {
    database = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    database.close();
  }

  @BeforeEach
  void startHosts() {
    hub = "hosts" + hubs.incrementAndGet();
    first = startHost(hub);
    second = startHost(hub);
  }

  @AfterEach
  void stopHosts() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private Host startHost(String hub) {
    SidecarWorkItems workItems = new SidecarWorkItems(InstantSource.system());
    Fermata engine =
        Fermata.builder()
            .store(PostgresStore.open(database.options(hub).build()))
            .remoteWorkers(workItems)
            .build()
            .start();
    toClose.add(engine);
    SidecarServer sidecar = SidecarServer.start(engine, workItems, "127.0.0.1", 0, null);
    toClose.add(sidecar);
    DurableTaskClient client = new DurableTaskGrpcClientBuilder().port(sidecar.port()).build();
    toClose.add(client);
    return new Host(workItems, sidecar, client);
  }

  private DurableTaskGrpcWorker startWorker(Host host, TaskActivity whichWorker) {
    Map<String, TaskOrchestration> orchestrations =
        Map.of(
            "Sequence",
            ctx -> {
              String a = ctx.callActivity("SayHello", "a", String.class).await();
              String b = ctx.callActivity("SayHello", "b", String.class).await();
              ctx.complete(a + b);
            },
            "Worked",
            ctx -> ctx.complete(ctx.callActivity("WhichWorker", null, String.class).await()));
    Map<String, TaskActivity> activities =
        Map.of(
            "SayHello",
            ctx -> "Hello, " + ctx.getInput(String.class) + "!",
            "WhichWorker",
            whichWorker);
    DurableTaskGrpcWorker worker =
        SdkWorkers.start(host.sidecar().port(), orchestrations, activities);
    toClose.add(worker::close);
    return worker;
  }

  @Test
  void sdkWork_runsOnTheHostItsWorkerIsConnectedTo_whereverItStarted() throws Exception {
    startWorker(first, ctx -> "first");
    await("the worker connected", () -> first.sidecar().connectedWorkers() == 1);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      // Started through the host without workers, whose partitions hold about half of them.
      ids.add(second.client().scheduleNewOrchestrationInstance("Sequence"));
    }

    for (String id : ids) {
      OrchestrationMetadata done = second.client().waitForInstanceCompletion(id, WAIT, true);
      assertThat(done.getRuntimeStatus()).as(id).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
      assertThat(done.readOutputAs(String.class)).isEqualTo("Hello, a!Hello, b!");
    }
    assertThat(second.workItems().waitingCount())
        .as("work held by the host without workers")
        .isZero();
  }

  @Test
  void aHostWithoutTheProtocol_leavesSdkWorkAlone_andRunsItsOwn() throws Exception {
    // A third engine on the hub, serving no protocol: it runs its own functions only, but it
    // claims work like the others (its own partitions' instances, and tasks).
    Fermata plain =
        Fermata.builder()
            .store(PostgresStore.open(database.options(hub).build()))
            .orchestrator("Local", ctx -> ctx.callActivity("LocalStep", null, String.class).await())
            .activity("LocalStep", ctx -> "ran locally")
            .build()
            .start();
    toClose.add(plain);
    startWorker(first, ctx -> "first");
    await("the worker connected", () -> first.sidecar().connectedWorkers() == 1);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      // Started through the host without workers; a third of them in the plain engine's partitions.
      ids.add(second.client().scheduleNewOrchestrationInstance("Sequence"));
    }
    String local = plain.client().scheduleNew("Local", null);

    for (String id : ids) {
      OrchestrationMetadata done = second.client().waitForInstanceCompletion(id, WAIT, true);
      assertThat(done.getRuntimeStatus())
          .as("%s, not failed as unknown by the host without the protocol", id)
          .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    }
    assertThat(plain.client().waitForCompletion(local, WAIT).readOutputAs(String.class))
        .isEqualTo("ran locally");
  }

  @Test
  void workAHostHeldWhenItsLastWorkerLeft_isGivenBackForAnotherHost() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    DurableTaskGrpcWorker leaving =
        startWorker(
            second,
            ctx -> {
              started.countDown();
              try {
                release.await(); // held until the worker has gone
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return "left";
            });
    await("the worker connected", () -> second.sidecar().connectedWorkers() == 1);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(second.client().scheduleNewOrchestrationInstance("Worked"));
    }
    assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    // More work than one stream takes at once: some of it waits in the host for the worker.
    await("work waiting in the host", () -> second.workItems().waitingCount() > 0);

    leaving.close();
    await("the worker gone", () -> second.sidecar().connectedWorkers() == 0);
    release.countDown();
    startWorker(first, ctx -> "stayed");

    for (String id : ids) {
      OrchestrationMetadata done = first.client().waitForInstanceCompletion(id, WAIT, true);
      assertThat(done.getRuntimeStatus()).as(id).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
      assertThat(done.readOutputAs(String.class)).isEqualTo("stayed");
    }
    assertThat(second.workItems().waitingCount()).isZero();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
