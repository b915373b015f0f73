package dev.fermata.bench;

import dev.fermata.Fermata;
import java.nio.file.Path;

/**
 * W1SR: W1 through the sidecar as a share of W1 run by the engine's own code, the ratio the
 * sidecar's throughput target is set on. One process holds an engine that runs W1's code itself and
 * one that serves it to durabletask-java workers in a process of their own (as in W1SP), each on a
 * store of its own. They take turns at W1 rounds ({@link PairedRounds}), so the share is read from
 * neighbouring rounds rather than from runs minutes apart.
 */
final class SidecarShare {
  private static final int PAIRS = 6;

  private final Workloads ctx;

  SidecarShare(Workloads ctx) {
    this.ctx = ctx;
  }

  void run(Path dir) {
    int n = ctx.params().w1Orchestrations();
    int warm = ctx.params().warmup(n, 8);
    try (Fermata own = ctx.newEngine(dir.resolve("own"));
        SidecarBench sidecar = SidecarBench.start(ctx.openStore(dir.resolve("sidecar")), true)) {
      ctx.warmUp("W1SR", "own code, " + warm, () -> ctx.openBatch(own.client(), warm));
      ctx.warmUp(
          "W1SR",
          "sidecar, " + warm,
          () -> ctx.openBatch(sidecar.engine().client(), warm),
          ctx.sidecarWarmupTime());
      PairedRounds rounds =
          PairedRounds.run(
              "W1SR",
              "own code, sidecar",
              PAIRS,
              () -> round(own, null, n),
              () -> round(sidecar.engine(), sidecar, n));
      report(n, rounds);
    }
  }

  private void report(int n, PairedRounds rounds) {
    Object[] p = {"orchestrations", n, "pairs", PAIRS, "sdk_workers", SidecarBench.workerCount()};
    double ownMean = PairedRounds.meanPerSecond(rounds.first);
    double sidecarMean = PairedRounds.meanPerSecond(rounds.second);
    double[] shares = rounds.ratios();
    ctx.emit("W1SR", "own_code_orchestrations_per_s", ownMean, "1/s", p);
    ctx.emit("W1SR", "sidecar_orchestrations_per_s", sidecarMean, "1/s", p);
    ctx.emit("W1SR", "share_of_means", sidecarMean / ownMean, "1", p);
    ctx.emit("W1SR", "share_median_of_pairs", PairedRounds.median(shares), "1", p);
    ctx.emit("W1SR", "share_mean_of_pairs", PairedRounds.mean(shares), "1", p);
    ctx.emit(
        "W1SR", "share_mean_of_pairs_standard_error", PairedRounds.standardError(shares), "1", p);
    ctx.emit(
        "W1SR",
        "own_code_process_cpu_per_orchestration",
        PairedRounds.cpuMicros(rounds.first, n, false),
        "us",
        p);
    ctx.emit(
        "W1SR",
        "sidecar_process_cpu_per_orchestration",
        PairedRounds.cpuMicros(rounds.second, n, false),
        "us",
        p);
    ctx.emit(
        "W1SR",
        "sdk_workers_process_cpu_per_orchestration",
        PairedRounds.cpuMicros(rounds.second, n, true),
        "us",
        p);
  }

  /** One W1 round on an engine; {@code sidecar} when its code runs in the SDK's workers. */
  private PairedRounds.Round round(Fermata engine, SidecarBench sidecar, int n) {
    long cpu0 = ProcessStats.cpuNanos();
    long sdkCpu0 = sidecar == null ? 0 : sidecar.workersApartCpuNanos();
    Workloads.Batch batch = ctx.openBatch(engine.client(), n);
    return new PairedRounds.Round(
        n / Stats.seconds(batch.wallNanos()),
        ProcessStats.cpuNanos() - cpu0,
        sidecar == null ? 0 : sidecar.workersApartCpuNanos() - sdkCpu0);
  }
}
