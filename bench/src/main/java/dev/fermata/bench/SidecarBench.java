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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * W1 through the Durable Task sidecar: an engine that has no code of its own, serving the protocol
 * on loopback, and durabletask-java SDK workers in the same process running W1's orchestration
 * (three no-op activities in sequence) and its activity. The SDK's worker runs one item at a time
 * per connection; there is one worker per core unless said otherwise, though more keep the cores
 * busier (docs/sidecar.md, "How many workers"). For W1SP and W1SR the workers run in a child
 * process instead, so that the engine's CPU and the SDK's can be told apart.
 */
final class SidecarBench implements AutoCloseable {
  private final Fermata engine;
  private final SidecarServer sidecar;
  private final List<DurableTaskGrpcWorker> workers;
  private final Process workersApart;

  private SidecarBench(
      Fermata engine,
      SidecarServer sidecar,
      List<DurableTaskGrpcWorker> workers,
      Process workersApart) {
    this.engine = engine;
    this.sidecar = sidecar;
    this.workers = workers;
    this.workersApart = workersApart;
  }

  /** SDK workers started: one per core, or {@code -Dfermata.bench.sdkWorkers=N}. */
  static int workerCount() {
    return Integer.getInteger(
        "fermata.bench.sdkWorkers", Runtime.getRuntime().availableProcessors());
  }

  /**
   * An engine serving the sidecar on loopback, and its SDK workers: in this process, or in a child
   * process ({@code apart}).
   */
  static SidecarBench start(DurableStore store, boolean apart) {
    SidecarWorkItems work = new SidecarWorkItems(InstantSource.system());
    Fermata engine =
        Fermata.builder()
            .store(store)
            .remoteWorkers(work)
            .shutdownGracePeriod(Duration.ofSeconds(5))
            .build()
            .start();
    SidecarServer sidecar = SidecarServer.start(engine, work, "127.0.0.1", 0, null);
    if (apart) {
      return new SidecarBench(engine, sidecar, List.of(), startWorkersApart(sidecar));
    }
    List<DurableTaskGrpcWorker> workers = new ArrayList<>();
    for (int i = 0; i < workerCount(); i++) {
      DurableTaskGrpcWorker worker = sdkWorker(sidecar.port());
      worker.start();
      workers.add(worker);
    }
    return new SidecarBench(engine, sidecar, workers, null);
  }

  private static Process startWorkersApart(SidecarServer sidecar) {
    List<String> cmd =
        ChildJvm.command(
            SidecarWorkersChild.class,
            List.of(),
            List.of(Integer.toString(sidecar.port()), Integer.toString(workerCount())));
    try {
      Process child =
          new ProcessBuilder(cmd)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .redirectOutput(ProcessBuilder.Redirect.INHERIT)
              .start();
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (sidecar.connectedWorkers() < workerCount()) {
        if (!child.isAlive() || System.nanoTime() > deadline) {
          child.destroyForcibly();
          throw new IllegalStateException(
              "the SDK workers' process did not connect its " + workerCount() + " workers");
        }
        Thread.sleep(10);
      }
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** CPU time the SDK workers' own process has used so far (0 when they run in this one). */
  long workersApartCpuNanos() {
    return workersApart == null
        ? 0
        : workersApart.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  boolean workersApart() {
    return workersApart != null;
  }

  static DurableTaskGrpcWorker sdkWorker(int port) {
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
    if (workersApart != null) {
      try {
        workersApart.getOutputStream().close(); // the child's cue to stop
        if (!workersApart.waitFor(10, TimeUnit.SECONDS)) {
          workersApart.destroyForcibly();
        }
      } catch (IOException e) {
        workersApart.destroyForcibly();
      } catch (InterruptedException e) {
        workersApart.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
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
