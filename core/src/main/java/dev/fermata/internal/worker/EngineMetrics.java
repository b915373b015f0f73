package dev.fermata.internal.worker;

import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.WorkBacklog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The engine's meters, in the registry the application gave ({@code Fermata.Builder
 * .meterRegistry}); without one they go to an empty composite registry, where recording costs next
 * to nothing and nothing is kept. Names are dotted ({@code fermata.activities}); a Prometheus
 * registry shows them as {@code fermata_activities_seconds_count} and so on. The latency timers
 * publish histograms ({@code _bucket} series), so percentiles can be computed across hosts.
 */
public final class EngineMetrics {
  private final MeterRegistry registry;
  private final Counter cacheHits;
  private final Counter cacheMisses;
  private final Timer checkpoints;
  private final Counter givenUp;

  // Meters by name, so that recording costs one map lookup (the registry's own builds an id).
  private final Map<String, Timer> episodes = new ConcurrentHashMap<>();
  private final Map<NameAnd, Counter> ended = new ConcurrentHashMap<>();
  private final Map<String, Counter> started = new ConcurrentHashMap<>();
  private final Map<String, Counter> retries = new ConcurrentHashMap<>();
  private final Map<NameAnd, Timer> activities = new ConcurrentHashMap<>();

  /**
   * A meter's key: a name and one more tag's value. Built per record, so it hashes the name's
   * cached hash instead of a concatenated string.
   */
  private record NameAnd(String name, Object detail) {}

  public EngineMetrics(MeterRegistry registry) {
    this.registry = registry == null ? new CompositeMeterRegistry() : registry;
    this.cacheHits =
        Counter.builder("fermata.instance.cache.requests")
            .description("Episodes that found their instance's runner in memory, or replayed")
            .tag("result", "hit")
            .register(this.registry);
    this.cacheMisses =
        Counter.builder("fermata.instance.cache.requests")
            .description("Episodes that found their instance's runner in memory, or replayed")
            .tag("result", "miss")
            .register(this.registry);
    this.checkpoints =
        Timer.builder("fermata.store.checkpoints")
            .description("Time from handing an episode's checkpoint to the store to its commit")
            .publishPercentileHistogram()
            .register(this.registry);
    this.givenUp =
        Counter.builder("fermata.poison.given.up")
            .description("Instances quarantined and tasks dead-lettered after too many deliveries")
            .register(this.registry);
  }

  /** The registry the meters go to. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The instance cache's size, read when the registry is scraped. */
  void gaugeCacheSize(Supplier<Number> size) {
    Gauge.builder("fermata.instance.cache.size", size)
        .description("Instances whose runner is kept in memory between episodes")
        .register(registry);
  }

  /**
   * The store's backlog, read at most once a second however many gauges a scrape reads; NaN while
   * the store cannot tell (or cannot be read).
   */
  public void gaugeBacklog(Supplier<Optional<WorkBacklog>> backlog, InstantSource clock) {
    BacklogReading reading = new BacklogReading(backlog);
    Gauge.builder("fermata.backlog.messages", () -> reading.get(b -> (double) b.visibleMessages()))
        .description("Messages visible now that no episode has consumed yet")
        .register(registry);
    Gauge.builder("fermata.backlog.tasks", () -> reading.get(b -> (double) b.activityTasks()))
        .description("Activity tasks queued or running")
        .register(registry);
    Gauge.builder(
            "fermata.backlog.oldest.age",
            () ->
                reading.get(
                    b ->
                        b.oldestVisibleAt() == null
                            ? 0.0
                            : Math.max(
                                0,
                                Duration.between(b.oldestVisibleAt(), clock.instant()).toMillis()
                                    / 1000.0)))
        .description("How long the oldest visible message has waited")
        .baseUnit("seconds")
        .register(registry);
  }

  /** One read of the backlog, shared by the gauges of a scrape. */
  private static final class BacklogReading {
    private static final long FRESH_NANOS = 1_000_000_000L;
    private final Supplier<Optional<WorkBacklog>> source;
    private WorkBacklog last;
    private long readAt;

    BacklogReading(Supplier<Optional<WorkBacklog>> source) {
      this.source = source;
    }

    synchronized double get(ToDoubleFunction<WorkBacklog> value) {
      long now = System.nanoTime();
      if (last == null || now - readAt > FRESH_NANOS) {
        try {
          last = source.get().orElse(null);
        } catch (RuntimeException e) {
          last = null; // the store is down or closed: no figure rather than a stale one
        }
        readAt = now;
      }
      return last == null ? Double.NaN : value.applyAsDouble(last);
    }
  }

  void cacheLookup(boolean hit) {
    (hit ? cacheHits : cacheMisses).increment();
  }

  void checkpointCommitted(long startNanos) {
    checkpoints.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  void gaveUp() {
    givenUp.increment();
  }

  /** An episode of orchestration {@code name}, from hand-out to its checkpoint's commit. */
  void episode(String name, Duration took) {
    episodes
        .computeIfAbsent(
            name,
            n ->
                Timer.builder("fermata.episodes")
                    .description("Orchestration episodes, from hand-out to the checkpoint's commit")
                    .tag("name", n)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(took);
  }

  /** An instance of orchestration {@code name} ran its first episode. */
  void instanceStarted(String name) {
    started
        .computeIfAbsent(
            name,
            n ->
                Counter.builder("fermata.instances.started")
                    .description("Instances that ran their first episode")
                    .tag("name", n)
                    .register(registry))
        .increment();
  }

  /**
   * A retry policy gave a failed call of activity or sub-orchestration {@code name} another try.
   */
  void retried(String name) {
    retries
        .computeIfAbsent(
            name,
            n ->
                Counter.builder("fermata.retries")
                    .description("Failed calls that a retry policy tried again")
                    .tag("name", n)
                    .register(registry))
        .increment();
  }

  /** An instance of orchestration {@code name} reached {@code status} (terminal). */
  void instanceEnded(String name, OrchestrationStatus status) {
    ended
        .computeIfAbsent(
            new NameAnd(name, status),
            key ->
                Counter.builder("fermata.instances.ended")
                    .description("Instances that completed, failed or were terminated")
                    .tag("name", name)
                    .tag("status", status.displayName())
                    .register(registry))
        .increment();
  }

  /** A run of activity {@code name} (in this engine or a remote worker) that produced a result. */
  void activity(String name, boolean failed, Duration took) {
    activities
        .computeIfAbsent(
            new NameAnd(name, failed),
            key ->
                Timer.builder("fermata.activities")
                    .description("Activity runs, by outcome")
                    .tag("name", name)
                    .tag("outcome", failed ? "failed" : "completed")
                    .publishPercentileHistogram()
                    .register(registry))
        .record(took);
  }
}
