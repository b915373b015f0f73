package dev.fermata.bench;

import dev.fermata.Fermata;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * W1O: what recording metrics and spans costs W1. Two engines in one process, on stores of their
 * own, one recording nothing and one recording as the host does (a Prometheus registry, and spans
 * batched to an exporter that drops them). They take turns at W1 rounds ({@link PairedRounds}); the
 * loss is read from pairs of neighbouring rounds.
 */
final class ObservabilityCost {
  private static final int PAIRS = 8;

  private final Workloads ctx;

  ObservabilityCost(Workloads ctx) {
    this.ctx = ctx;
  }

  void run(Path dir) {
    int n = ctx.params().w1Orchestrations();
    int warm = ctx.params().warmup(n, 8);
    try (Fermata off = ctx.newEngine(dir.resolve("off"), false, false);
        Fermata on = ctx.newEngine(dir.resolve("on"), true, true)) {
      ctx.warmUp("W1O", "off, " + warm, () -> ctx.openBatch(off.client(), warm));
      ctx.warmUp("W1O", "on, " + warm, () -> ctx.openBatch(on.client(), warm));
      long spans0 = DiscardedSpans.exportedAfterFlush();
      PairedRounds rounds =
          PairedRounds.run("W1O", "off, on", PAIRS, () -> round(off, n), () -> round(on, n));
      double spansPerOrchestration =
          (double) (DiscardedSpans.exportedAfterFlush() - spans0) / PAIRS / n;
      report(n, rounds, spansPerOrchestration);
    }
  }

  private void report(int n, PairedRounds rounds, double spansPerOrchestration) {
    Object[] p = {"orchestrations", n, "pairs", PAIRS};
    double offMean = PairedRounds.meanPerSecond(rounds.first);
    double onMean = PairedRounds.meanPerSecond(rounds.second);
    double[] pairLoss = Arrays.stream(rounds.ratios()).map(r -> 100 * (1 - r)).toArray();
    ctx.emit("W1O", "off_orchestrations_per_s", offMean, "1/s", p);
    ctx.emit("W1O", "on_orchestrations_per_s", onMean, "1/s", p);
    ctx.emit("W1O", "loss_of_means", 100 * (1 - onMean / offMean), "%", p);
    ctx.emit("W1O", "loss_median_of_pairs", PairedRounds.median(pairLoss), "%", p);
    ctx.emit("W1O", "loss_mean_of_pairs", PairedRounds.mean(pairLoss), "%", p);
    ctx.emit(
        "W1O", "loss_mean_of_pairs_standard_error", PairedRounds.standardError(pairLoss), "%", p);
    // The spans the "on" engine recorded: that it did record them, as the host would.
    ctx.emit("W1O", "on_spans_per_orchestration", spansPerOrchestration, "1", p);
    ctx.emit(
        "W1O",
        "off_process_cpu_per_orchestration",
        PairedRounds.cpuMicros(rounds.first, n, false),
        "us",
        p);
    ctx.emit(
        "W1O",
        "on_process_cpu_per_orchestration",
        PairedRounds.cpuMicros(rounds.second, n, false),
        "us",
        p);
  }

  private PairedRounds.Round round(Fermata engine, int n) {
    long cpu0 = ProcessStats.cpuNanos();
    Workloads.Batch batch = ctx.openBatch(engine.client(), n);
    return new PairedRounds.Round(
        n / Stats.seconds(batch.wallNanos()), ProcessStats.cpuNanos() - cpu0, 0);
  }
}
