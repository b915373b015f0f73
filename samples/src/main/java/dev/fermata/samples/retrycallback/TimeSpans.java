package dev.fermata.samples.retrycallback;

import java.time.Duration;

/**
 * Durations written the way .NET prints a TimeSpan ({@code 00:01:00}, {@code 1.02:03:04}, {@code
 * 00:00:00.2500000}), so the sample's messages read like the scenario's.
 */
final class TimeSpans {
  private TimeSpans() {}

  static String format(Duration d) {
    StringBuilder sb = new StringBuilder();
    if (d.isNegative()) {
      sb.append('-');
      d = d.negated();
    }
    long days = d.toDays();
    if (days > 0) {
      sb.append(days).append('.');
    }
    sb.append(
        String.format("%02d:%02d:%02d", d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart()));
    long ticks = d.toNanosPart() / 100; // a tick is 100 ns
    if (ticks > 0) {
      sb.append(String.format(".%07d", ticks));
    }
    return sb.toString();
  }
}
