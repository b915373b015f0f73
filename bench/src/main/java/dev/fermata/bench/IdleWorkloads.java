package dev.fermata.bench;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * W4: what waiting instances cost. Many orchestrations wait on an event (W4) or a one-hour timer
 * (W4T); then a million wait on SQLite (W4M). Figures: time to start them all, resident memory,
 * live heap after GC, idle CPU, and for W4M the disk used.
 */
final class IdleWorkloads {
  private static final Duration WAIT = Duration.ofMinutes(30);

  private final Workloads ctx;

  IdleWorkloads(Workloads ctx) {
    this.ctx = ctx;
  }

  /** W4 ({@code timer} false) or W4T ({@code timer} true). */
  void idle(Path dir, boolean timer) {
    String wl = timer ? "W4T" : "W4";
    int n = ctx.params().w4Waiting();
    String orchestrator = timer ? BenchFunctions.WAIT_HOUR : BenchFunctions.WAIT_EVENT;
    try (Fermata f = ctx.newEngine(dir, idleTimeout())) {
      FermataClient c = f.client();
      double rssBefore = ProcessStats.rssMib();
      Workloads.log(wl + " " + ctx.label() + ": starting " + n + " waiting instances");
      long nanos = startAll(c, orchestrator, n);
      Object[] p = {"instances", n};
      ctx.emit(wl, "start_seconds", nanos / 1e9, "s", p);
      ctx.emit(wl, "starts_per_s", n / (nanos / 1e9), "1/s", p);
      measureIdle(f, wl, p);
      ctx.emit(wl, "rss_before_start", rssBefore, "MiB", p);
      if (ctx.system().isSqlite()) {
        ctx.emit(wl, "disk_used", ProcessStats.diskBytes(dir) / (1024.0 * 1024), "MiB", p);
      }
    }
  }

  /** W4M: a million instances waiting on an event, SQLite only. */
  void million(Path dir) {
    int n = ctx.params().w4mWaiting();
    try (Fermata f = ctx.newEngine(dir, idleTimeout())) {
      FermataClient c = f.client();
      Workloads.log("W4M " + ctx.label() + ": starting " + n + " waiting instances");
      long nanos = startAll(c, BenchFunctions.WAIT_EVENT, n);
      Object[] p = {"instances", n};
      ctx.emit("W4M", "start_seconds", nanos / 1e9, "s", p);
      ctx.emit("W4M", "starts_per_s", n / (nanos / 1e9), "1/s", p);
      ctx.emit("W4M", "disk_used", ProcessStats.diskBytes(dir) / (1024.0 * 1024), "MiB", p);
      measureIdle(f, "W4M", p);
    }
  }

  /** The instance cache's idle timeout: the default (30 s) at full scale, shorter in smoke runs. */
  private Duration idleTimeout() {
    return ctx.params().idleWindow().multipliedBy(3);
  }

  /**
   * Memory right after the start (waiting instances still cached), CPU while idle, then memory once
   * the idle instances have left the cache.
   */
  private void measureIdle(Fermata f, String wl, Object[] p) {
    ctx.emit(wl, "cached_instances", f.cachedInstances(), "1", p);
    ctx.emit(wl, "live_heap_after_gc", ProcessStats.liveHeapMibAfterGc(), "MiB", p);
    ctx.emit(wl, "rss", ProcessStats.rssMib(), "MiB", p);
    // Idle CPU: let the engine settle, then sit with every instance waiting; count the CPU used.
    Duration idle = ctx.params().idleWindow();
    sleep(idle.dividedBy(5));
    long cpu0 = ProcessStats.cpuNanos();
    long t0 = System.nanoTime();
    sleep(idle);
    long cpu = ProcessStats.cpuNanos() - cpu0;
    long wall = System.nanoTime() - t0;
    Object[] q = {"instances", p[1], "window_s", idle.toSeconds()};
    ctx.emit(wl, "idle_cpu_percent_of_one_core", 100.0 * cpu / wall, "%", q);

    long deadline = System.nanoTime() + idleTimeout().multipliedBy(3).toNanos();
    while (f.cachedInstances() > 0 && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(100));
    }
    sleep(idle.dividedBy(5)); // evicted runners' threads unwind asynchronously
    Object[] r = {"instances", p[1], "cached_instances", f.cachedInstances()};
    ctx.emit(wl, "live_heap_after_gc_once_evicted", ProcessStats.liveHeapMibAfterGc(), "MiB", r);
    ctx.emit(wl, "rss_once_evicted", ProcessStats.rssMib(), "MiB", r);
  }

  /**
   * Schedules {@code n} instances from the client threads and waits until each one is running (its
   * first episode, which records the wait, is durable).
   */
  private long startAll(FermataClient c, String orchestrator, int n) {
    int threads = ctx.params().w1ClientThreads();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    long t0 = System.nanoTime();
    try (ExecutorService starters = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(
            starters.submit(
                () -> {
                  List<String> mine = new ArrayList<>();
                  int i;
                  while ((i = next.getAndIncrement()) < n) {
                    mine.add(c.scheduleNew(orchestrator, "s"));
                    int s = started.incrementAndGet();
                    if (s % 100_000 == 0) {
                      Workloads.log("  scheduled " + s);
                    }
                  }
                  for (String id : mine) {
                    c.waitForStart(id, WAIT);
                  }
                  return null;
                }));
      }
      Workloads.getAll(fs);
    }
    return System.nanoTime() - t0;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
