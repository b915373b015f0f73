package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.OrchestrationStatus;
import dev.fermata.RetryPolicy;
import dev.fermata.TaskFailedException;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.testsupport.Poll;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the engine records in the registry it is given. */
class EngineMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void episodesActivitiesEndingsAndTheCache_areRecordedByName() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .meterRegistry(registry)
            .orchestrator(
                "Flow",
                ctx -> {
                  String a = ctx.callActivity("Work", null, String.class).await();
                  try {
                    ctx.callActivity("Fail", null, String.class).await();
                  } catch (TaskFailedException expected) {
                    // recorded as a failed run
                  }
                  return a;
                })
            .orchestrator(
                "Broken",
                ctx -> {
                  throw new IllegalStateException("broken");
                })
            .activity("Work", ctx -> "done")
            .activity(
                "Fail",
                ctx -> {
                  throw new IllegalArgumentException("no");
                })
            .build()
            .start()) {
      String flow = engine.client().scheduleNew("Flow", null);
      String broken = engine.client().scheduleNew("Broken", null);
      assertThat(engine.client().waitForCompletion(flow, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(engine.client().waitForCompletion(broken, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.FAILED);

      // Recorded once a checkpoint has committed, which a waiting client may hear of first.
      Poll.until(
          "both instances' last episodes recorded",
          () ->
              episodes(registry, "Flow") == 3
                  && episodes(registry, "Broken") == 1
                  && registry.find("fermata.instances.ended").counters().size() == 2);

      assertThat(ended(registry, "Flow", "Completed")).isEqualTo(1);
      assertThat(ended(registry, "Broken", "Failed")).isEqualTo(1);
      assertThat(activities(registry, "Work", "completed")).isEqualTo(1);
      assertThat(activities(registry, "Fail", "failed")).isEqualTo(1);
      // Flow: started, after Work, after Fail; Broken: one.
      assertThat(registry.get("fermata.episodes").tag("name", "Flow").timer().count()).isEqualTo(3);
      assertThat(registry.get("fermata.store.checkpoints").timer().count())
          .isGreaterThanOrEqualTo(4);
      double hits =
          registry.get("fermata.instance.cache.requests").tag("result", "hit").counter().count();
      double misses =
          registry.get("fermata.instance.cache.requests").tag("result", "miss").counter().count();
      assertThat(hits + misses).isEqualTo(4);
      assertThat(hits).as("Flow's later episodes find its runner in memory").isEqualTo(2);
      assertThat(registry.get("fermata.instance.cache.size").gauge().value()).isZero();
    }
  }

  @Test
  void startsAndRetries_areCountedOnce_evenWhenTheInstanceIsReplayed() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger attempts = new AtomicInteger();
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .meterRegistry(registry)
            // No runner kept between episodes: every episode replays what came before it.
            .instanceCacheSize(0)
            .orchestrator(
                "Retrying",
                ctx -> {
                  String result =
                      ctx.callActivity(
                              "Flaky", null, RetryPolicy.of(5, Duration.ofMillis(1)), String.class)
                          .await();
                  return ctx.callActivity("Flaky", null, String.class).await() + result;
                })
            .activity(
                "Flaky",
                ctx -> {
                  if (attempts.incrementAndGet() <= 2) {
                    throw new IllegalStateException("try again");
                  }
                  return "ok";
                })
            .build()
            .start()) {
      String first = engine.client().scheduleNew("Retrying", null);
      engine.client().waitForCompletion(first, WAIT);
      String second = engine.client().scheduleNew("Retrying", null);
      engine.client().waitForCompletion(second, WAIT);

      Poll.until(
          "both instances' ends recorded", () -> ended(registry, "Retrying", "Completed") == 2);
      assertThat(
              registry.get("fermata.instances.started").tag("name", "Retrying").counter().count())
          .isEqualTo(2);
      // The first call failed twice and was retried twice; nothing after that failed.
      assertThat(registry.get("fermata.retries").tag("name", "Flaky").counter().count())
          .isEqualTo(2);
    }
  }

  @Test
  void theBacklogGauges_readTheStore() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CountDownLatch release = new CountDownLatch(1);
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .meterRegistry(registry)
            .orchestrator("Wait", ctx -> ctx.callActivity("Slow", null, String.class).await())
            .activity(
                "Slow",
                ctx -> {
                  release.await();
                  return "done";
                })
            .build()
            .start()) {
      assertThat(registry.get("fermata.backlog.tasks").gauge().value()).isZero();
      String id = engine.client().scheduleNew("Wait", null);

      // Read at most once a second: the gauge catches up with the running task.
      Poll.until(
          "the running task in the backlog",
          () -> registry.get("fermata.backlog.tasks").gauge().value() == 1);
      assertThat(registry.get("fermata.backlog.messages").gauge().value()).isZero();
      assertThat(registry.get("fermata.backlog.oldest.age").gauge().value()).isZero();
      release.countDown();
      engine.client().waitForCompletion(id, WAIT);
      Poll.until(
          "an empty backlog", () -> registry.get("fermata.backlog.tasks").gauge().value() == 0);
    }
  }

  private static long episodes(SimpleMeterRegistry registry, String name) {
    var timer = registry.find("fermata.episodes").tag("name", name).timer();
    return timer == null ? 0 : timer.count();
  }

  private static double ended(SimpleMeterRegistry registry, String name, String status) {
    var counter =
        registry.find("fermata.instances.ended").tag("name", name).tag("status", status).counter();
    return counter == null ? 0 : counter.count();
  }

  private static long activities(SimpleMeterRegistry registry, String name, String outcome) {
    return registry
        .get("fermata.activities")
        .tag("name", name)
        .tag("outcome", outcome)
        .timer()
        .count();
  }
}
