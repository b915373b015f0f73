package dev.fermata.bench;

import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.TaskActivity;
import com.microsoft.durabletask.TaskActivityFactory;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.TaskOrchestrationFactory;
import dev.fermata.Fermata;
import dev.fermata.grpc.SidecarServer;
import dev.fermata.grpc.SidecarWorkItems;
import dev.fermata.spi.DurableStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * W1 through the Durable Task sidecar: an engine that has no code of its own, serving the protocol
 * on loopback, and durabletask-java SDK workers in the same process running W1's orchestration
 * (three no-op activities in sequence) and its activity. The SDK's worker runs one item at a time
 * per connection, so there is one worker per core, as a user would scale them.
 */
final class SidecarBench implements AutoCloseable {
  private final Fermata engine;
  private final SidecarServer sidecar;
  private final List<DurableTaskGrpcWorker> workers;

  private SidecarBench(Fermata engine, SidecarServer sidecar, List<DurableTaskGrpcWorker> workers) {
    this.engine = engine;
    this.sidecar = sidecar;
    this.workers = workers;
  }

  /** SDK workers started: one per core, or {@code -Dfermata.bench.sdkWorkers=N}. */
  static int workerCount() {
    return Integer.getInteger(
        "fermata.bench.sdkWorkers", Runtime.getRuntime().availableProcessors());
  }

  static SidecarBench start(DurableStore store) {
    SidecarWorkItems work = new SidecarWorkItems(InstantSource.system());
    Fermata engine =
        Fermata.builder()
            .store(store)
            .remoteWorkers(work)
            .shutdownGracePeriod(Duration.ofSeconds(5))
            .build()
            .start();
    SidecarServer sidecar = SidecarServer.start(engine, work, "127.0.0.1", 0, null);
    List<DurableTaskGrpcWorker> workers = new ArrayList<>();
    for (int i = 0; i < workerCount(); i++) {
      DurableTaskGrpcWorker worker = sdkWorker(sidecar.port());
      worker.start();
      workers.add(worker);
    }
    return new SidecarBench(engine, sidecar, workers);
  }

  private static DurableTaskGrpcWorker sdkWorker(int port) {
    return new DurableTaskGrpcWorkerBuilder()
        .port(port)
        .addOrchestration(
            orchestration(
                BenchFunctions.SEQ3,
                ctx -> {
                  String v = ctx.getInput(String.class);
                  for (int i = 0; i < 3; i++) {
                    v = ctx.callActivity("Noop", v, String.class).await();
                  }
                  ctx.complete(v);
                }))
        .addActivity(activity("Noop", ctx -> ctx.getInput(String.class) + "!"))
        .build();
  }

  Fermata engine() {
    return engine;
  }

  @Override
  public void close() {
    workers.forEach(DurableTaskGrpcWorker::close);
    engine.close();
    sidecar.close();
  }

  private static TaskOrchestrationFactory orchestration(String name, TaskOrchestration body) {
    return new TaskOrchestrationFactory() {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public TaskOrchestration create() {
        return body;
      }
    };
  }

  private static TaskActivityFactory activity(String name, TaskActivity body) {
    return new TaskActivityFactory() {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public TaskActivity create() {
        return body;
      }
    };
  }
}
