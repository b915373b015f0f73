package dev.fermata.sqlite.engine;

import static dev.fermata.engine.OrchestrationFeaturesTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.storetest.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on a real SQLite file, with time driven by the engine's clock. */
class SqliteRetentionTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

  private Fermata engine(Duration retention) {
    return Fermata.builder()
        .store(SqliteStore.open(dir.resolve("fermata.db")))
        .clock(clock)
        .retention(retention)
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .orchestrator("Echo", ctx -> ctx.getInput(String.class))
        .orchestrator(
            "Boom",
            ctx -> {
              throw new IllegalStateException("boom");
            })
        .orchestrator("Wait", ctx -> ctx.waitForExternalEvent("go", String.class).await())
        .build()
        .start();
  }

  @Test
  void finishedInstancesOlderThanTheRetention_arePurged_whileUnfinishedAndRecentOnesStay() {
    String completed;
    String failed;
    String terminated;
    String running;
    String pending;
    String recent;
    try (Fermata first = engine(null)) {
      FermataClient c = first.client();
      completed = c.scheduleNew("Echo", "old");
      failed = c.scheduleNew("Boom", null);
      terminated = c.scheduleNew("Wait", null);
      running = c.scheduleNew("Wait", null);
      pending =
          c.scheduleNew(
              "Echo", "later", new StartOptions(null, clock.instant().plus(Duration.ofDays(30))));
      assertThat(c.waitForCompletion(completed, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(c.waitForCompletion(failed, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.FAILED);
      assertThat(c.waitForStart(running, WAIT).getStatus()).isEqualTo(OrchestrationStatus.RUNNING);
      c.waitForStart(terminated, WAIT);
      c.terminate(terminated, "enough");
      assertThat(c.waitForCompletion(terminated, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.TERMINATED);

      clock.advance(Duration.ofHours(2));
      recent = c.scheduleNew("Echo", "new");
      assertThat(c.waitForCompletion(recent, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);
    }

    // Everything but `recent` was last updated two hours ago; only the finished ones expire.
    try (Fermata second = engine(Duration.ofHours(1))) {
      FermataClient c = second.client();
      List<String> expired = List.of(completed, failed, terminated);
      awaitCondition(
          () -> expired.stream().allMatch(id -> c.getInstance(id).isEmpty()),
          "the expired instances to be purged");
      assertThat(second.store().getHistory(completed)).as("its history is purged too").isEmpty();
      assertThat(status(c, running)).contains(OrchestrationStatus.RUNNING);
      assertThat(status(c, pending)).contains(OrchestrationStatus.PENDING);
      assertThat(status(c, recent)).contains(OrchestrationStatus.COMPLETED);

      c.raiseEvent(running, "go", "went");
      assertThat(c.waitForCompletion(running, WAIT).readOutputAs(String.class)).isEqualTo("went");
    }
  }

  @Test
  void retention_mustBePositive() {
    assertThatThrownBy(() -> Fermata.builder().retention(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retention must be positive");
  }

  private static Optional<OrchestrationStatus> status(FermataClient c, String id) {
    return c.getInstance(id).map(InstanceState::getStatus);
  }
}
