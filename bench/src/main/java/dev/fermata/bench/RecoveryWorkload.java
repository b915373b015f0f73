package dev.fermata.bench;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * W7: recovery after {@code kill -9}. A child JVM runs many multi-step orchestrations; once they
 * are all in flight it is killed; this process then reopens the store and measures how long until
 * every unfinished instance is progressing again (it ran a step or completed) and until all are
 * done.
 */
final class RecoveryWorkload {
  private static final Duration WAIT = Duration.ofMinutes(30);

  private final Workloads ctx;

  RecoveryWorkload(Workloads ctx) {
    this.ctx = ctx;
  }

  void run(Path dir) {
    int n = ctx.params().w7InFlight();
    Path db = dir.resolve("bench.db");
    Workloads.log("W7 " + ctx.label() + ": child starts " + n + " instances, then is killed");
    runChildUntilKilled(db, n);

    List<String> unfinished = unfinishedInstances(db);
    Object[] p = {"instances", n, "unfinished_at_kill", unfinished.size()};
    if (unfinished.isEmpty()) {
      throw new IllegalStateException(
          "W7: every instance finished before the kill; nothing to time");
    }
    Map<String, Long> firstStep = new ConcurrentHashMap<>();
    BenchFunctions.recoveryStepListener =
        id -> firstStep.putIfAbsent(id, System.nanoTime()); // the first step after the restart
    long t0 = System.nanoTime();
    try (Fermata f = ctx.newEngine(dir)) {
      long opened = System.nanoTime();
      FermataClient c = f.client();
      long[] progressed = new long[unfinished.size()];
      long[] done = new long[unfinished.size()];
      try (ExecutorService waiters = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < unfinished.size(); i++) {
          int k = i;
          fs.add(
              waiters.submit(
                  () -> {
                    String id = unfinished.get(k);
                    var s = c.waitForCompletion(id, WAIT);
                    if (s.getStatus() != OrchestrationStatus.COMPLETED) {
                      throw new IllegalStateException("W7: " + id + " ended " + s.getStatus());
                    }
                    done[k] = System.nanoTime();
                    progressed[k] = Math.min(done[k], firstStep.getOrDefault(id, Long.MAX_VALUE));
                    return null;
                  }));
        }
        Workloads.getAll(fs);
      }
      ctx.emit("W7", "restart_open_time", (opened - t0) / 1e6, "ms", p);
      ctx.emit("W7", "time_until_all_progressing", (max(progressed) - t0) / 1e6, "ms", p);
      ctx.emit("W7", "time_until_all_completed", (max(done) - t0) / 1e6, "ms", p);
    } finally {
      BenchFunctions.recoveryStepListener = id -> {};
    }
  }

  private static long max(long[] a) {
    long m = Long.MIN_VALUE;
    for (long v : a) {
      m = Math.max(m, v);
    }
    return m;
  }

  /** Reads which instances the killed child left unfinished, before any engine touches them. */
  private List<String> unfinishedInstances(Path db) {
    DurableStore store = ctx.system().openStore(db);
    store.start(InstantSource.system());
    try {
      List<String> ids = new ArrayList<>();
      InstanceFilter running =
          new InstanceFilter(
              EnumSet.of(OrchestrationStatus.PENDING, OrchestrationStatus.RUNNING),
              BenchFunctions.RECOVERY_STEPS,
              null,
              null,
              null);
      String token = null;
      do {
        InstancePage page = store.queryInstances(running, 1000, token);
        for (InstanceRecord r : page.instances()) {
          ids.add(r.instanceId());
        }
        token = page.continuationToken();
      } while (token != null);
      return ids;
    } finally {
      store.close();
    }
  }

  private void runChildUntilKilled(Path db, int n) {
    List<String> cmd =
        ChildJvm.command(
            RecoveryChild.class,
            List.of("--enable-native-access=ALL-UNNAMED", "-Xmx2g"),
            List.of(ctx.system().label(), db.toString(), Integer.toString(n)));
    try {
      Process child =
          new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null && !line.equals(RecoveryChild.READY)) {
          // progress lines only
        }
        if (line == null) {
          throw new IllegalStateException("W7 child exited before its instances were in flight");
        }
        child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no clean close
        child.waitFor();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
