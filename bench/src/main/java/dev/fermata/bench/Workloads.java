package dev.fermata.bench;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The workloads. Each runs a warm-up, then the measured phase, on a fresh engine and store. */
public final class Workloads {
  /** The workload ids, in the order the runner runs them. */
  public static final List<String> ALL =
      List.of(
          "W1", "W1C", "W1S", "W1SP", "W1SR", "W1O", "W2", "W3", "W4", "W4T", "W5", "W6", "W7",
          "W4M", "D1");

  private static final Duration WAIT = Duration.ofMinutes(10);
  private static final String STORE_FILE = "bench.db";

  private final BenchSystem system;
  private final Params params;
  private final Consumer<Figure> sink;

  public Workloads(BenchSystem system, Params params, Consumer<Figure> sink) {
    this.system = system;
    this.params = params;
    this.sink = sink;
  }

  /** The systems each workload runs on. */
  public static List<BenchSystem> systemsFor(String workload) {
    return switch (workload) {
      case "W1" ->
          List.of(
              BenchSystem.SQLITE,
              BenchSystem.MEMORY,
              BenchSystem.SQLITE_NOSYNC,
              BenchSystem.POSTGRES);
      case "W4M", "W7" -> List.of(BenchSystem.SQLITE); // on disk, or across a process kill
      case "W1O", "W1SR" -> List.of(BenchSystem.SQLITE); // where the target is set
      case "W1S", "W1SP" -> List.of(BenchSystem.SQLITE, BenchSystem.POSTGRES);
      case "W4", "W4T" -> List.of(BenchSystem.SQLITE, BenchSystem.MEMORY);
      case "D1" -> List.of(BenchSystem.SQLITE, BenchSystem.POSTGRES); // indexes are the point
      default -> List.of(BenchSystem.SQLITE, BenchSystem.MEMORY, BenchSystem.POSTGRES);
    };
  }

  public void run(String workload) {
    Path dir;
    try {
      dir = Files.createTempDirectory("fermata-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      switch (workload) {
        case "W1" -> w1(dir, false);
        case "W1C" -> w1(dir, true);
        case "W1S" -> w1ThroughSidecar(dir, false);
        case "W1SP" -> w1ThroughSidecar(dir, true);
        case "W1SR" -> new SidecarShare(this).run(dir);
        case "W1O" -> new ObservabilityCost(this).run(dir);
        case "W2" -> w2(dir);
        case "W3" -> w3(dir);
        case "W4" -> new IdleWorkloads(this).idle(dir, false);
        case "W4T" -> new IdleWorkloads(this).idle(dir, true);
        case "W4M" -> new IdleWorkloads(this).million(dir);
        case "W5" -> new EntityWorkload(this).run(dir);
        case "W6" -> w6(dir);
        case "W7" -> new RecoveryWorkload(this).run(dir);
        case "D1" -> new DashboardWorkload(this).run(dir);
        default -> throw new IllegalArgumentException("unknown workload: " + workload);
      }
    } finally {
      system.cleanUp(dir.resolve(STORE_FILE));
      deleteQuietly(dir);
    }
  }

  // ---------------------------------------------------------------- engine

  BenchSystem system() {
    return system;
  }

  Params params() {
    return params;
  }

  String label() {
    return system.label();
  }

  /**
   * Set to true ({@code --jvm-arg -Dfermata.bench.metrics=true}) to record the engine's metrics.
   */
  static final String METRICS_PROPERTY = "fermata.bench.metrics";

  /**
   * Set to true ({@code --jvm-arg -Dfermata.bench.tracing=true}) to record the engine's spans (into
   * a batch processor whose exporter drops them).
   */
  static final String TRACING_PROPERTY = "fermata.bench.tracing";

  Fermata newEngine(Path dir) {
    return newEngine(dir, Duration.ofSeconds(30));
  }

  /** The system's store in {@code dir}, its calls counted for the diagnostic figures. */
  DurableStore openStore(Path dir) {
    return new CountingStore(system.openStore(dir.resolve(STORE_FILE)));
  }

  /** An engine on a store in {@code dir}, with the given instance cache idle timeout. */
  Fermata newEngine(Path dir, Duration cacheIdleTimeout) {
    return newEngine(
        dir,
        cacheIdleTimeout,
        Boolean.getBoolean(METRICS_PROPERTY),
        Boolean.getBoolean(TRACING_PROPERTY));
  }

  /** An engine on a store in {@code dir}, recording metrics and spans or not. */
  Fermata newEngine(Path dir, boolean metrics, boolean tracing) {
    return newEngine(dir, Duration.ofSeconds(30), metrics, tracing);
  }

  private Fermata newEngine(Path dir, Duration cacheIdleTimeout, boolean metrics, boolean tracing) {
    Fermata.Builder builder = Fermata.builder().store(openStore(dir));
    if (metrics) {
      // As the host records them: to measure what metrics cost.
      builder.meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }
    if (tracing) {
      // As the host records them (batched), exported to nowhere: what recording spans costs.
      builder.openTelemetry(DiscardedSpans.openTelemetry());
    }
    return BenchFunctions.register(builder)
        .instanceIdleTimeout(cacheIdleTimeout)
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .build()
        .start();
  }

  /**
   * Through the sidecar, gRPC, protobuf and the SDK are much more code to compile: after the usual
   * warm-up the JIT compiler still took a sixth to a quarter of the CPU of the measured phase.
   */
  Duration sidecarWarmupTime() {
    return params.warmupTime().multipliedBy(4);
  }

  /** Runs warm-up rounds until {@link Params#warmupTime} has passed, at least one. */
  void warmUp(String workload, String round, Runnable warmUpRound) {
    warmUp(workload, round, warmUpRound, params.warmupTime());
  }

  void warmUp(String workload, String round, Runnable warmUpRound, Duration time) {
    long until = System.nanoTime() + time.toNanos();
    int rounds = 0;
    do {
      log(workload + " " + system.label() + ": warm-up round " + ++rounds + ", " + round);
      warmUpRound.run();
    } while (System.nanoTime() < until);
  }

  void emit(String workload, String metric, double value, String unit, Object... kv) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      p.put((String) kv[i], kv[i + 1]);
    }
    sink.accept(new Figure(system.label(), workload, metric, value, unit, p));
  }

  static void log(String msg) {
    System.err.println("[bench] " + msg);
  }

  static void requireCompleted(InstanceState s) {
    if (s.getStatus() != OrchestrationStatus.COMPLETED) {
      throw new IllegalStateException(
          "instance "
              + s.getInstanceId()
              + " ended "
              + s.getStatus()
              + ": "
              + s.getFailureDetails());
    }
  }

  // ---------------------------------------------------------------- W1 / W1C

  /** Result of a batch run: wall time and per-orchestration schedule-to-completion latencies. */
  record Batch(long wallNanos, long[] latencies) {}

  private void w1(Path dir, boolean capped) {
    try (Fermata f = newEngine(dir)) {
      w1(capped ? "W1C" : "W1", f, capped, null);
    }
  }

  /**
   * W1 with the orchestration and activities run by the durabletask-java SDK's worker through the
   * sidecar protocol (loopback), started and awaited by the engine's client as in W1. The SDK's
   * workers run in the same process (W1S) or in one of their own (W1SP, {@code apart}).
   */
  private void w1ThroughSidecar(Path dir, boolean apart) {
    try (SidecarBench sidecar = SidecarBench.start(openStore(dir), apart)) {
      w1(apart ? "W1SP" : "W1S", sidecar.engine(), false, sidecar);
    }
  }

  /** W1's measurement, of an engine's own code or of SDK workers through {@code sidecar}. */
  private void w1(String wl, Fermata f, boolean capped, SidecarBench sidecar) {
    int n = params.w1Orchestrations();
    {
      FermataClient c = f.client();
      int warm = params.warmup(n, 8);
      Duration warmTime = sidecar == null ? params.warmupTime() : sidecarWarmupTime();
      warmUp(wl, warm + " orchestrations", () -> batch(c, warm, capped), warmTime);
      for (int i = 0; i < Math.min(20, params.w1Solo()); i++) {
        solo(c);
      }
      long commits0 = commits(f);
      long pgTransactions0 = system == BenchSystem.POSTGRES ? PostgresBench.transactionCount() : 0;
      CountingStore.Counts counts0 = counts(f);
      long cpu0 = ProcessStats.cpuNanos();
      long sdkCpu0 = sidecar == null ? 0 : sidecar.workersApartCpuNanos();
      long writerCpu0 = ProcessStats.threadCpuNanos(SQLITE_WRITER);
      log(wl + " " + system.label() + ": measuring " + n);
      Batch b = batch(c, n, capped);
      long cpu = ProcessStats.cpuNanos() - cpu0;
      long sdkCpu = sidecar == null ? 0 : sidecar.workersApartCpuNanos() - sdkCpu0;
      long writerCpu = ProcessStats.threadCpuNanos(SQLITE_WRITER) - writerCpu0;
      long commits = commits(f) - commits0;
      long pgTransactions =
          system == BenchSystem.POSTGRES ? PostgresBench.transactionCount() - pgTransactions0 : 0;
      CountingStore.Counts diag = counts(f).minus(counts0);
      double secs = Stats.seconds(b.wallNanos());
      Object[] p =
          capped
              ? new Object[] {"orchestrations", n, "max_in_flight", params.w1cInFlight()}
              : new Object[] {"orchestrations", n, "client_threads", params.w1ClientThreads()};
      emit(wl, "orchestrations_per_s", n / secs, "1/s", p);
      emit(wl, "activities_per_s", 3.0 * n / secs, "1/s", p);
      emit(wl, "latency_p50", Stats.percentileMillis(b.latencies(), 50), "ms", p);
      emit(wl, "latency_p99", Stats.percentileMillis(b.latencies(), 99), "ms", p);
      // CPU per orchestration moves far less than throughput when the machine is shared.
      emit(wl, "process_cpu_per_orchestration", cpu / 1e3 / n, "us", p);
      if (sidecar != null && sidecar.workersApart()) {
        emit(wl, "sdk_workers_process_cpu_per_orchestration", sdkCpu / 1e3 / n, "us", p);
      }
      if (system.isSqlite()) {
        emit(wl, "sqlite_commits_per_orchestration", (double) commits / n, "1", p);
        emit(wl, "sqlite_writer_cpu_per_orchestration", writerCpu / 1e3 / n, "us", p);
      }
      if (system == BenchSystem.POSTGRES) {
        // Every session of the database counts, the engine's and the clients' alike (one process).
        emit(wl, "postgres_transactions_per_orchestration", (double) pgTransactions / n, "1", p);
      }
      emitDiagnostics(wl, diag, p);
      if (Boolean.getBoolean(TRACING_PROPERTY)) {
        log(
            wl
                + ": "
                + DiscardedSpans.EXPORTED.get()
                + " spans recorded so far (exported in batches)");
      }
      if (!capped) {
        int m = params.w1Solo();
        long[] lat = new long[m];
        for (int i = 0; i < m; i++) {
          lat[i] = solo(c);
        }
        emit(wl, "solo_latency_p50", Stats.percentileMillis(lat, 50), "ms", "solo", m);
        emit(wl, "solo_latency_p99", Stats.percentileMillis(lat, 99), "ms", "solo", m);
      }
    }
  }

  /** The name the SQLite store gives its single writer thread. */
  private static final String SQLITE_WRITER = "fermata-sqlite-writer";

  private static long commits(Fermata f) {
    return f.store() instanceof CountingStore c && c.delegate instanceof SqliteStore s
        ? s.committedTransactionCount()
        : 0;
  }

  private static CountingStore.Counts counts(Fermata f) {
    return ((CountingStore) f.store()).counts();
  }

  /**
   * Diagnostic counters (may be zero): full replays (history reads) by the engine, the events they
   * read, checkpoints, and abandoned episodes (a refused, stale checkpoint is one).
   */
  private void emitDiagnostics(String wl, CountingStore.Counts d, Object... p) {
    emit(wl, "diag_history_reads", d.historyReads(), "1", p);
    emit(wl, "diag_history_events_read", d.historyEventsRead(), "1", p);
    emit(wl, "diag_checkpoints", d.checkpoints(), "1", p);
    emit(wl, "diag_abandoned_episodes", d.abandons(), "1", p);
  }

  private static long solo(FermataClient c) {
    long t0 = System.nanoTime();
    String id = c.scheduleNew(BenchFunctions.SEQ3, "s");
    requireCompleted(c.waitForCompletion(id, WAIT));
    return System.nanoTime() - t0;
  }

  private Batch batch(FermataClient c, int n, boolean capped) {
    return capped ? cappedBatch(c, n) : openBatch(c, n);
  }

  /**
   * n orchestrations started at once by the client threads; one virtual thread per instance waits
   * for its completion.
   */
  Batch openBatch(FermataClient c, int n) {
    int threads = params.w1ClientThreads();
    long[] lat = new long[n];
    try (ExecutorService waiters = Executors.newVirtualThreadPerTaskExecutor();
        ExecutorService starters = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> waits = new ArrayList<>(n);
      Object lock = new Object();
      AtomicInteger next = new AtomicInteger();
      long t0 = System.nanoTime();
      List<Future<?>> starts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        starts.add(
            starters.submit(
                () -> {
                  int i;
                  while ((i = next.getAndIncrement()) < n) {
                    int k = i;
                    long s = System.nanoTime();
                    String id = c.scheduleNew(BenchFunctions.SEQ3, "s");
                    Future<?> w =
                        waiters.submit(
                            () -> {
                              requireCompleted(c.waitForCompletion(id, WAIT));
                              lat[k] = System.nanoTime() - s;
                              return null;
                            });
                    synchronized (lock) {
                      waits.add(w);
                    }
                  }
                  return null;
                }));
      }
      getAll(starts);
      synchronized (lock) {
        getAll(waits);
      }
      return new Batch(System.nanoTime() - t0, lat);
    }
  }

  /** n orchestrations, at most {@code w1cInFlight} at a time (each worker: start, then wait). */
  private Batch cappedBatch(FermataClient c, int n) {
    int inFlight = params.w1cInFlight();
    long[] lat = new long[n];
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      long t0 = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < inFlight; w++) {
        fs.add(
            workers.submit(
                () -> {
                  int i;
                  while ((i = next.getAndIncrement()) < n) {
                    lat[i] = solo(c);
                  }
                  return null;
                }));
      }
      getAll(fs);
      return new Batch(System.nanoTime() - t0, lat);
    }
  }

  static void getAll(List<Future<?>> fs) {
    for (Future<?> f : fs) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("workload task failed", e.getCause());
      }
    }
  }

  // ---------------------------------------------------------------- W2

  private void w2(Path dir) {
    int n = params.w2FanOut();
    try (Fermata f = newEngine(dir)) {
      FermataClient c = f.client();
      int warm = params.warmup(n, 10);
      warmUp("W2", warm + " activities", () -> fanOut(c, warm));
      log("W2 " + system.label() + ": measuring " + n);
      long commits0 = commits(f);
      CountingStore.Counts counts0 = counts(f);
      long nanos = fanOut(c, n);
      long commits = commits(f) - commits0;
      emit("W2", "seconds", Stats.seconds(nanos), "s", "activities", n);
      emit("W2", "activities_per_s", n / Stats.seconds(nanos), "1/s", "activities", n);
      if (system.isSqlite()) {
        emit("W2", "sqlite_commits_per_activity", (double) commits / n, "1", "activities", n);
      }
      emitDiagnostics("W2", counts(f).minus(counts0), "activities", n);
    }
  }

  private static long fanOut(FermataClient c, int n) {
    long t0 = System.nanoTime();
    String id = c.scheduleNew(BenchFunctions.FAN_OUT, n);
    InstanceState s = c.waitForCompletion(id, WAIT);
    long nanos = System.nanoTime() - t0;
    requireCompleted(s);
    long expected = (long) n * (n - 1) / 2;
    if (s.readOutputAs(Long.class) != expected) {
      throw new IllegalStateException("fan-out sum " + s.getSerializedOutput() + " != " + expected);
    }
    return nanos;
  }

  // ---------------------------------------------------------------- W3

  private void w3(Path dir) {
    int n = params.w3Events();
    try (Fermata f = newEngine(dir)) {
      FermataClient c = f.client();
      int warm = params.warmup(n, 5);
      warmUp("W3", warm + " events", () -> raiseOneByOne(c, warm));
      log("W3 " + system.label() + ": measuring " + n);
      CountingStore.Counts counts0 = counts(f);
      long[] lat = raiseOneByOne(c, n);
      emitDiagnostics("W3", counts(f).minus(counts0), "events", n);
      emit("W3", "raise_to_completion_p50", Stats.percentileMillis(lat, 50), "ms", "events", n);
      emit("W3", "raise_to_completion_p99", Stats.percentileMillis(lat, 99), "ms", "events", n);
    }
  }

  private static long[] raiseOneByOne(FermataClient c, int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(c.scheduleNew(BenchFunctions.WAIT_EVENT, "s"));
    }
    for (String id : ids) {
      c.waitForStart(id, WAIT);
    }
    awaitQuiet(c, ids.getLast());
    long[] lat = new long[n];
    for (int i = 0; i < n; i++) {
      String id = ids.get(i);
      long t0 = System.nanoTime();
      c.raiseEvent(id, BenchFunctions.EVENT, "x");
      requireCompleted(c.waitForCompletion(id, WAIT));
      lat[i] = System.nanoTime() - t0;
    }
    return lat;
  }

  /**
   * Lets the engine settle after a burst of starts so the measured raises run on a quiet system.
   */
  private static void awaitQuiet(FermataClient c, String lastId) {
    c.waitForStart(lastId, WAIT);
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- W6

  private void w6(Path dir) {
    int n = params.w6Steps();
    Fermata f = newEngine(dir);
    try {
      FermataClient c = f.client();
      int warm = params.warmup(n, 20);
      log("W6 " + system.label() + ": warm-up " + warm);
      BenchFunctions.stepNanos = new long[warm];
      String wid = c.scheduleNew(BenchFunctions.LONG_SEQ, new BenchFunctions.LongSeqInput(warm));
      awaitSteps(warm);
      c.raiseEvent(wid, BenchFunctions.EVENT, "x");
      requireCompleted(c.waitForCompletion(wid, WAIT));

      log("W6 " + system.label() + ": measuring " + n + " steps");
      long[] steps = new long[n];
      BenchFunctions.stepNanos = steps;
      long commits0 = commits(f);
      CountingStore.Counts counts0 = counts(f);
      long t0 = System.nanoTime();
      String id = c.scheduleNew(BenchFunctions.LONG_SEQ, new BenchFunctions.LongSeqInput(n));
      awaitSteps(n);
      long total = steps[n - 1] - t0;
      long stepCommits = commits(f) - commits0;
      emitDiagnostics("W6", counts(f).minus(counts0), "steps", n);
      // Windows of step times: around step 100 (or n/5 when shorter) and the last steps. The
      // median resists outliers (GC, WAL checkpoints, other processes); the mean is reported too.
      int early = Math.min(100, n / 5);
      int half = Math.max(1, Math.min(50, n / 10));
      long[] earlySteps = stepDeltas(steps, Math.max(1, early - half), early + half);
      long[] endSteps = stepDeltas(steps, n - 2 * half, n);
      double atEarly = Stats.percentileMillis(earlySteps, 50);
      double atEnd = Stats.percentileMillis(endSteps, 50);
      Object[] w = {"steps", n, "window", 2 * half};
      emit("W6", "steps_per_s", (n - 1) / Stats.seconds(total), "1/s", "steps", n);
      emit("W6", "step_time_p50_at_" + early, atEarly, "ms", w);
      emit("W6", "step_time_p50_at_" + n, atEnd, "ms", w);
      emit("W6", "step_time_mean_at_" + early, Stats.meanMillis(earlySteps), "ms", w);
      emit("W6", "step_time_mean_at_" + n, Stats.meanMillis(endSteps), "ms", w);
      emit("W6", "step_time_p50_ratio_end_vs_" + early, atEnd / atEarly, "x", w);
      if (system.isSqlite()) {
        emit("W6", "sqlite_commits_per_step", (double) stepCommits / n, "1", "steps", n);
      }

      if (system.isPersistent()) {
        // Let the final checkpoint (the wait for the event) land, then restart the engine.
        awaitWaitingForEvent(c, id);
        long c0 = System.nanoTime();
        f.close();
        long c1 = System.nanoTime();
        f = newEngine(dir);
        c = f.client();
        long c2 = System.nanoTime();
        long r0 = System.nanoTime();
        c.raiseEvent(id, BenchFunctions.EVENT, "x");
        requireCompleted(c.waitForCompletion(id, WAIT));
        long r1 = System.nanoTime();
        emit("W6", "restart_close_time", Stats.millis(c1 - c0), "ms", "steps", n);
        emit("W6", "restart_open_time", Stats.millis(c2 - c1), "ms", "steps", n);
        emit("W6", "resume_raise_to_completion", Stats.millis(r1 - r0), "ms", "steps", n);
      } else {
        long r0 = System.nanoTime();
        c.raiseEvent(id, BenchFunctions.EVENT, "x");
        requireCompleted(c.waitForCompletion(id, WAIT));
        emit(
            "W6",
            "raise_to_completion_no_restart",
            Stats.millis(System.nanoTime() - r0),
            "ms",
            "steps",
            n);
      }
    } finally {
      f.close();
    }
  }

  /** Waits until the last step's activity ran (steps are recorded by the Step activity). */
  private static void awaitSteps(int n) {
    long[] a = BenchFunctions.stepNanos;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (a[n - 1] == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("W6 did not finish its steps in time");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Waits until the history shows the orchestration's last step completed and it is idle; the
   * orchestration then waits for the event with nothing in flight.
   */
  private static void awaitWaitingForEvent(FermataClient c, String id) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int lastSize = -1;
    while (System.nanoTime() < deadline) {
      int size = c.getHistory(id).size();
      if (size == lastSize) {
        return;
      }
      lastSize = size;
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static long[] stepDeltas(long[] steps, int from, int to) {
    int lo = Math.max(1, from);
    int hi = Math.min(steps.length, to);
    long[] d = new long[Math.max(0, hi - lo)];
    for (int i = lo; i < hi; i++) {
      d[i - lo] = steps[i] - steps[i - 1];
    }
    return d;
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
