package dev.fermata.postgres;

import static dev.fermata.storetest.CheckpointBuilder.episode;
import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static dev.fermata.storetest.StoreFixtures.startEvent;
import static dev.fermata.storetest.StoreFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.OrchestrationStatus;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.WorkerStatus;
import dev.fermata.storetest.MutableClock;
import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The workers of a hub as the dashboard shows them: alive, each with the work it holds. */
class WorkerStatusTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration LEASE = Duration.ofMinutes(10);

  private static TestPostgres postgres;
  private static int hubs;
  private final MutableClock clock = new MutableClock(T0);
  private final List<PostgresStore> stores = new ArrayList<>();

  @BeforeAll
  static void createDatabase() {
    postgres = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    postgres.close();
  }

  @AfterEach
  void closeStores() {
    stores.forEach(PostgresStore::close);
  }

  @Test
  void eachWorker_isListed_withTheInstancesAndTasksItHolds() throws Exception {
    String hub = "workers" + ++hubs;
    PostgresStore first = worker(hub);
    PostgresStore second = worker(hub);
    // A worker joins the hub's workers when it first asks for orchestration work.
    assertThat(second.nextOrchestration(Duration.ofMillis(100))).isEmpty();
    InstanceRecord running = pendingRecord("a", "Flow", T0);
    first.createInstance(newInstance(running));
    // Past the steal delay: whichever worker's partition the instance falls in, first may take it.
    clock.advance(Duration.ofSeconds(1));
    OrchestrationWorkItem item = first.nextOrchestration(WAIT).orElseThrow();
    first
        .checkpoint(
            episode(item, 0)
                .events(startEvent(running))
                .task(task(running, 0, "Work"))
                .status(OrchestrationStatus.RUNNING, T0)
                .build())
        .join();
    second.nextActivity(WAIT).orElseThrow();
    first.createInstance(newInstance(pendingRecord("b", "Flow", clock.instant())));
    clock.advance(Duration.ofSeconds(1));
    first.nextOrchestration(WAIT).orElseThrow();

    // Listed from its first sign of life, written when it joins.
    Poll.until("both workers listed", WAIT, () -> first.workers().size() == 2);
    List<WorkerStatus> seenByFirst = first.workers();
    List<WorkerStatus> seenBySecond = second.workers();

    assertThat(seenByFirst).hasSize(2);
    WorkerStatus firstItself = find(seenByFirst, first.workerId());
    WorkerStatus secondSeenByFirst = find(seenByFirst, second.workerId());
    assertThat(firstItself.self()).isTrue();
    assertThat(firstItself.instancesHeld()).isEqualTo(1);
    assertThat(firstItself.tasksHeld()).isZero();
    assertThat(firstItself.aliveUntil()).isAfter(T0);
    assertThat(secondSeenByFirst.self()).isFalse();
    assertThat(secondSeenByFirst.instancesHeld()).isZero();
    assertThat(secondSeenByFirst.tasksHeld()).isEqualTo(1);
    assertThat(find(seenBySecond, second.workerId()).self()).isTrue();
    assertThat(find(seenBySecond, first.workerId()).self()).isFalse();
  }

  @Test
  void aWorkerWhoseSignOfLifeRanOut_isNotListed_norAreExpiredLeases() throws Exception {
    String hub = "workers" + ++hubs;
    PostgresStore first = worker(hub);
    first.createInstance(newInstance(pendingRecord("a", "Flow", T0)));
    first.nextOrchestration(WAIT).orElseThrow();
    Poll.until("the worker listed", WAIT, () -> first.workers().size() == 1);
    assertThat(find(first.workers(), first.workerId()).instancesHeld()).isEqualTo(1);

    clock.advance(Duration.ofDays(1)); // past every sign of life and lease, renewals or not

    assertThat(first.workers()).isEmpty();
  }

  private static WorkerStatus find(List<WorkerStatus> workers, String id) {
    return workers.stream().filter(w -> w.workerId().equals(id)).findFirst().orElseThrow();
  }

  private PostgresStore worker(String hub) {
    PostgresStore store = PostgresStore.open(postgres.options(hub).leaseDuration(LEASE).build());
    store.start(clock);
    stores.add(store);
    return store;
  }
}
