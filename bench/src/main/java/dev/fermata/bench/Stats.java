package dev.fermata.bench;

import java.util.Arrays;

/** Percentiles over latency samples in nanoseconds. */
final class Stats {
  private Stats() {}

  /** The {@code p}-th percentile (0..100, nearest rank) of {@code nanos}, in milliseconds. */
  static double percentileMillis(long[] nanos, double p) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    int index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
    return sorted[index] / 1_000_000.0;
  }

  static double meanMillis(long[] nanos) {
    long sum = 0;
    for (long n : nanos) {
      sum += n;
    }
    return nanos.length == 0 ? Double.NaN : millis(sum) / nanos.length;
  }

  static double millis(long nanos) {
    return nanos / 1_000_000.0;
  }

  static double seconds(long nanos) {
    return nanos / 1_000_000_000.0;
  }
}
