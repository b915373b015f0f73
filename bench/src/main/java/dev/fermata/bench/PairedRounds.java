package dev.fermata.bench;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Two setups taking turns at the same round, in the order first, second, second, first..., so that
 * a machine that slows down or speeds up over the run weighs on both alike. On a shared virtual
 * machine runs minutes apart differ by more than most effects worth measuring; the throughput of
 * neighbouring rounds, taken as a ratio, does not.
 */
final class PairedRounds {
  /** One round: its throughput and the CPU it took, in this process and in a helper process. */
  record Round(double perSecond, long cpuNanos, long otherCpuNanos) {}

  final Round[] first;
  final Round[] second;

  private PairedRounds(Round[] first, Round[] second) {
    this.first = first;
    this.second = second;
  }

  static PairedRounds run(
      String workload, String names, int pairs, Supplier<Round> first, Supplier<Round> second) {
    Round[] a = new Round[pairs];
    Round[] b = new Round[pairs];
    for (int i = 0; i < pairs; i++) {
      if (i % 2 == 0) {
        a[i] = first.get();
        b[i] = second.get();
      } else {
        b[i] = second.get();
        a[i] = first.get();
      }
      Workloads.log(
          String.format(
              "%s pair %d of %d (%s): %.0f/s, %.0f/s",
              workload, i + 1, pairs, names, a[i].perSecond(), b[i].perSecond()));
    }
    return new PairedRounds(a, b);
  }

  int pairs() {
    return first.length;
  }

  static double meanPerSecond(Round[] rounds) {
    return Arrays.stream(rounds).mapToDouble(Round::perSecond).average().orElseThrow();
  }

  /** Mean CPU per item over the rounds, in microseconds, in this process or the helper. */
  static double cpuMicros(Round[] rounds, int items, boolean helper) {
    long total =
        Arrays.stream(rounds).mapToLong(r -> helper ? r.otherCpuNanos() : r.cpuNanos()).sum();
    return total / 1e3 / items / rounds.length;
  }

  /** Each pair's second throughput over its first. */
  double[] ratios() {
    double[] r = new double[pairs()];
    for (int i = 0; i < r.length; i++) {
      r[i] = second[i].perSecond() / first[i].perSecond();
    }
    return r;
  }

  static double mean(double[] values) {
    return Arrays.stream(values).average().orElseThrow();
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** The standard error of the mean: pairs from several runs pool into a tighter figure. */
  static double standardError(double[] values) {
    double m = mean(values);
    double variance = Arrays.stream(values).map(v -> (v - m) * (v - m)).sum() / (values.length - 1);
    return Math.sqrt(variance / values.length);
  }
}
