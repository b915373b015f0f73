package dev.fermata.bench;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntitySnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * W5: entity operations. Client signals spread over many counter entities, then many signals to one
 * hot counter; operations/s from the first signal to the last operation applied.
 */
final class EntityWorkload {
  private static final Duration WAIT = Duration.ofMinutes(10);

  private final Workloads ctx;

  EntityWorkload(Workloads ctx) {
    this.ctx = ctx;
  }

  void run(Path dir) {
    Params p = ctx.params();
    try (Fermata f = ctx.newEngine(dir)) {
      FermataClient c = f.client();
      int warm = Math.max(20, p.w5Signals() / 20);
      ctx.warmUp(
          "W5",
          warm + " signals",
          () ->
              signalAll(
                  c,
                  warm,
                  i -> new EntityId(BenchFunctions.COUNTER, "warm" + (i % 100)),
                  () -> {}));

      int n = p.w5Signals();
      int entities = p.w5Entities();
      Workloads.log("W5 " + ctx.label() + ": " + n + " signals over " + entities + " entities");
      Run spread =
          signalAll(
              c,
              n,
              i -> new EntityId(BenchFunctions.COUNTER, "k" + (i % entities)),
              () -> {
                for (int k : new int[] {0, entities - 1}) {
                  requireCount(c, "k" + k, n / entities + (k < n % entities ? 1 : 0));
                }
              });
      Object[] sp = {"signals", n, "entities", entities, "client_threads", threads()};
      ctx.emit("W5", "spread_operations_per_s", n / spread.seconds(), "1/s", sp);
      ctx.emit("W5", "spread_signals_sent_per_s", n / spread.sendSeconds(), "1/s", sp);

      int h = p.w5HotSignals();
      Workloads.log("W5 " + ctx.label() + ": " + h + " signals to one entity");
      Run hot =
          signalAll(
              c,
              h,
              i -> new EntityId(BenchFunctions.COUNTER, "hot"),
              () -> requireCount(c, "hot", h));
      Object[] hp = {"signals", h, "entities", 1, "client_threads", threads()};
      ctx.emit("W5", "hot_operations_per_s", h / hot.seconds(), "1/s", hp);
      ctx.emit("W5", "hot_signals_sent_per_s", h / hot.sendSeconds(), "1/s", hp);
    }
  }

  private record Run(long sendNanos, long totalNanos) {
    double seconds() {
      return totalNanos / 1e9;
    }

    double sendSeconds() {
      return sendNanos / 1e9;
    }
  }

  /**
   * Client signals are one durable write each; many concurrent senders let group commit share the
   * fsyncs, as many request handlers of a web application would.
   */
  private int threads() {
    return 64;
  }

  /**
   * Sends {@code n} "add 1" signals from the client threads and waits until every one has been
   * applied (counted by the entity function as it runs) and {@code durable} confirms the stored
   * state.
   */
  private Run signalAll(FermataClient c, int n, IntFunction<EntityId> target, Runnable durable) {
    long applied0 = BenchFunctions.entityOperations.sum();
    AtomicInteger next = new AtomicInteger();
    long t0 = System.nanoTime();
    try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads(); t++) {
        fs.add(
            senders.submit(
                () -> {
                  int i;
                  while ((i = next.getAndIncrement()) < n) {
                    c.signalEntity(target.apply(i), "add", 1);
                  }
                  return null;
                }));
      }
      Workloads.getAll(fs);
    }
    long sent = System.nanoTime() - t0;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (BenchFunctions.entityOperations.sum() - applied0 < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("W5: operations not applied within " + WAIT);
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    durable.run();
    return new Run(sent, System.nanoTime() - t0);
  }

  /** Checks a counter's durable state: the figures only count if every operation took effect. */
  private static void requireCount(FermataClient c, String key, long expected) {
    EntityId id = new EntityId(BenchFunctions.COUNTER, key);
    long deadline = System.nanoTime() + WAIT.toNanos();
    long value = -1;
    while (System.nanoTime() < deadline) {
      value = c.getEntity(id, Long.class).map(EntitySnapshot::state).orElse(0L);
      if (value == expected) {
        return;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("W5: " + id + " holds " + value + ", expected " + expected);
  }
}
