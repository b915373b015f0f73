package dev.fermata.bench;

import java.time.Duration;

/**
 * Workload sizes. {@link #scaled(double)} derives them from a scale factor (1.0 = the full
 * benchmark); tests build tiny ones directly.
 *
 * @param w1Orchestrations W1/W1C: orchestrations started at once
 * @param w1Solo W1: orchestrations run one at a time for solo latency
 * @param w1ClientThreads W1: client threads that start the orchestrations
 * @param w1cInFlight W1C: most orchestrations in flight
 * @param w2FanOut W2: activities fanned out by one orchestration
 * @param w3Events W3: orchestrations waiting for an event
 * @param w6Steps W6: sequential steps of the long orchestration
 * @param w4Waiting W4/W4T: instances left waiting on an event or a timer
 * @param w4mWaiting W4M: instances left waiting on SQLite (a million at full scale)
 * @param w5Signals W5: signals spread over the entities
 * @param w5Entities W5: entities the spread signals go to
 * @param w5HotSignals W5: signals to one entity
 * @param w7InFlight W7: instances in flight when the process is killed
 * @param d1Instances D1: instances the dashboard's list pages over (100,000 at full scale)
 * @param idleWindow W4: how long the idle engine is watched for CPU use
 * @param warmupFraction size of one warm-up round relative to the measured run
 * @param warmupTime the least time warm-up rounds run for (at least one round): long enough for the
 *     JIT compiler to finish its work before the measured phase, which it otherwise shares the CPU
 *     with
 */
public record Params(
    int w1Orchestrations,
    int w1Solo,
    int w1ClientThreads,
    int w1cInFlight,
    int w2FanOut,
    int w3Events,
    int w6Steps,
    int w4Waiting,
    int w4mWaiting,
    int w5Signals,
    int w5Entities,
    int w5HotSignals,
    int w7InFlight,
    int d1Instances,
    Duration idleWindow,
    double warmupFraction,
    Duration warmupTime) {

  public static Params scaled(double scale) {
    if (!(scale > 0)) {
      throw new IllegalArgumentException("scale must be positive, got " + scale);
    }
    return new Params(
        atLeast(16, 2000 * scale),
        atLeast(5, 100 * scale),
        8,
        32,
        atLeast(10, 5000 * scale),
        atLeast(5, 200 * scale),
        atLeast(20, 10_000 * scale),
        atLeast(20, 10_000 * scale),
        atLeast(20, 1_000_000 * scale),
        atLeast(20, 100_000 * scale),
        atLeast(2, 10_000 * scale),
        atLeast(20, 10_000 * scale),
        atLeast(20, 10_000 * scale),
        atLeast(200, 100_000 * scale),
        Duration.ofSeconds(10),
        0.25,
        Duration.ofSeconds(Math.round(Math.min(1.0, scale) * 10)));
  }

  static int atLeast(int min, double v) {
    return Math.max(min, (int) Math.round(v));
  }

  int warmup(int n, int min) {
    return Math.max(min, (int) Math.round(n * warmupFraction));
  }
}
