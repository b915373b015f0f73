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
    try (Fermata f = ctx.newEngine(dir)) {
      FermataClient c = f.client();
      double rssBefore = ProcessStats.rssMib();
      Workloads.log(wl + " " + ctx.label() + ": starting " + n + " waiting instances");
      long nanos = startAll(c, orchestrator, n);
      Object[] p = {"instances", n};
      ctx.emit(wl, "start_seconds", nanos / 1e9, "s", p);
      ctx.emit(wl, "starts_per_s", n / (nanos / 1e9), "1/s", p);
      measureIdle(wl, p);
      ctx.emit(wl, "rss_before_start", rssBefore, "MiB", p);
      if (ctx.system().isSqlite()) {
        ctx.emit(wl, "disk_used", ProcessStats.diskBytes(dir) / (1024.0 * 1024), "MiB", p);
      }
    }
  }

  /** W4M: a million instances waiting on an event, SQLite only. */
  void million(Path dir) {
    int n = ctx.params().w4mWaiting();
    try (Fermata f = ctx.newEngine(dir)) {
      FermataClient c = f.client();
      Workloads.log("W4M " + ctx.label() + ": starting " + n + " waiting instances");
      long nanos = startAll(c, BenchFunctions.WAIT_EVENT, n);
      Object[] p = {"instances", n};
      ctx.emit("W4M", "start_seconds", nanos / 1e9, "s", p);
      ctx.emit("W4M", "starts_per_s", n / (nanos / 1e9), "1/s", p);
      ctx.emit("W4M", "disk_used", ProcessStats.diskBytes(dir) / (1024.0 * 1024), "MiB", p);
      measureIdle("W4M", p);
    }
  }

  private void measureIdle(String wl, Object[] p) {
    ctx.emit(wl, "live_heap_after_gc", ProcessStats.liveHeapMibAfterGc(), "MiB", p);
    ctx.emit(wl, "rss", ProcessStats.rssMib(), "MiB", p);
    // Idle CPU: let the engine sit with every instance waiting, and count the CPU it used.
    Duration idle = ctx.params().idleWindow();
    long cpu0 = ProcessStats.cpuNanos();
    long t0 = System.nanoTime();
    sleep(idle);
    long cpu = ProcessStats.cpuNanos() - cpu0;
    long wall = System.nanoTime() - t0;
    Object[] q = {"instances", p[1], "window_s", idle.toSeconds()};
    ctx.emit(wl, "idle_cpu_percent_of_one_core", 100.0 * cpu / wall, "%", q);
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
