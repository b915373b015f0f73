package dev.fermata.bench;

import dev.fermata.Fermata;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * W1O: what recording metrics and spans costs W1. Two engines in one process, on stores of their
 * own, one recording nothing and one recording as the host does (a Prometheus registry, and spans
 * batched to an exporter that drops them). They take turns at W1 rounds, in the order off, on, on,
 * off..., so that a machine that slows down or speeds up over the run weighs on both alike; the
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
      Round[] offRounds = new Round[PAIRS];
      Round[] onRounds = new Round[PAIRS];
      for (int i = 0; i < PAIRS; i++) {
        boolean offFirst = i % 2 == 0;
        Workloads.log("W1O " + ctx.label() + ": pair " + (i + 1) + " of " + PAIRS + ", " + n);
        if (offFirst) {
          offRounds[i] = round(off, n);
          onRounds[i] = round(on, n);
        } else {
          onRounds[i] = round(on, n);
          offRounds[i] = round(off, n);
        }
        Workloads.log(
            String.format(
                "W1O pair %d: off %.0f/s, on %.0f/s",
                i + 1, offRounds[i].perSecond(), onRounds[i].perSecond()));
      }
      double spansPerOrchestration =
          (double) (DiscardedSpans.exportedAfterFlush() - spans0) / PAIRS / n;
      report(n, offRounds, onRounds, spansPerOrchestration);
    }
  }

  private void report(int n, Round[] off, Round[] on, double spansPerOrchestration) {
    Object[] p = {"orchestrations", n, "pairs", PAIRS};
    double offMean = Arrays.stream(off).mapToDouble(Round::perSecond).average().orElseThrow();
    double onMean = Arrays.stream(on).mapToDouble(Round::perSecond).average().orElseThrow();
    double[] pairLoss = new double[PAIRS];
    for (int i = 0; i < PAIRS; i++) {
      pairLoss[i] = 100 * (1 - on[i].perSecond() / off[i].perSecond());
    }
    double meanLoss = Arrays.stream(pairLoss).average().orElseThrow();
    double variance =
        Arrays.stream(pairLoss).map(l -> (l - meanLoss) * (l - meanLoss)).sum() / (PAIRS - 1);
    Arrays.sort(pairLoss);
    ctx.emit("W1O", "off_orchestrations_per_s", offMean, "1/s", p);
    ctx.emit("W1O", "on_orchestrations_per_s", onMean, "1/s", p);
    ctx.emit("W1O", "loss_of_means", 100 * (1 - onMean / offMean), "%", p);
    ctx.emit("W1O", "loss_median_of_pairs", median(pairLoss), "%", p);
    ctx.emit("W1O", "loss_mean_of_pairs", meanLoss, "%", p);
    // Of that mean: pairs from several runs pool into a tighter figure than one run gives.
    ctx.emit("W1O", "loss_mean_of_pairs_standard_error", Math.sqrt(variance / PAIRS), "%", p);
    // The spans the "on" engine recorded: that it did record them, as the host would.
    ctx.emit("W1O", "on_spans_per_orchestration", spansPerOrchestration, "1", p);
    ctx.emit("W1O", "off_process_cpu_per_orchestration", cpuMicros(off, n), "us", p);
    ctx.emit("W1O", "on_process_cpu_per_orchestration", cpuMicros(on, n), "us", p);
  }

  /** One W1 round: its throughput and the process CPU it took. */
  private record Round(double perSecond, long cpuNanos) {}

  private Round round(Fermata engine, int n) {
    long cpu0 = ProcessStats.cpuNanos();
    Workloads.Batch batch = ctx.openBatch(engine.client(), n);
    return new Round(n / Stats.seconds(batch.wallNanos()), ProcessStats.cpuNanos() - cpu0);
  }

  private static double cpuMicros(Round[] rounds, int n) {
    return Arrays.stream(rounds).mapToLong(Round::cpuNanos).sum() / 1e3 / n / rounds.length;
  }

  private static double median(double[] sorted) {
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
