package dev.fermata.postgres;

import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.storetest.MutableClock;
import dev.fermata.testsupport.Poll;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Workers that run orchestrations divide the hub's instances among themselves by partition. */
class PartitionsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** So long that only a notification can wake a waiting worker within a test. */
  private static final Duration NO_POLLING = Duration.ofMinutes(5);

  private static final Set<Integer> ALL =
      IntStream.range(0, Partitions.COUNT).boxed().collect(Collectors.toSet());

  private static TestPostgres postgres;
  private static int hubs;
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
  void theDatabaseAndJava_putEveryInstanceInTheSamePartition() throws Exception {
    List<String> ids = new ArrayList<>(List.of("", "a", "abc", "order-42", "héllo wörld", "😀"));
    for (int i = 0; i < 500; i++) {
      ids.add("instance-" + i);
    }
    Set<Integer> seen = new HashSet<>();
    try (Connection db = postgres.connect();
        PreparedStatement select = db.prepareStatement("SELECT " + Partitions.sqlOf("?::text"))) {
      for (String id : ids) {
        select.setString(1, id);
        try (ResultSet row = select.executeQuery()) {
          row.next();
          assertThat(row.getInt(1)).as("partition of '%s'", id).isEqualTo(Partitions.of(id));
        }
        seen.add(Partitions.of(id));
      }
    }
    assertThat(seen).as("ids spread over every partition").isEqualTo(ALL);
  }

  @Test
  void workersDivideThePartitions_andTakeOverTheShareOfOneThatLeaves() throws Exception {
    String hub = "divide" + ++hubs;
    PostgresStore client = worker(hub, NO_POLLING, InstantSource.system());
    List<PostgresStore> workers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      PostgresStore worker = worker(hub, NO_POLLING, InstantSource.system());
      assertThat(worker.nextOrchestration(Duration.ofMillis(1))).isEmpty(); // joins
      workers.add(worker);
    }

    Poll.until("three workers owning disjoint shares of all partitions", () -> divide(workers));
    assertThat(client.ownedPartitions())
        .as("a store that runs no orchestrations is not counted")
        .hasSize(Partitions.COUNT);
    for (PostgresStore worker : workers) {
      assertThat(worker.ownedPartitions().length).isBetween(10, 11);
    }

    workers.remove(0).close();
    Poll.until("two workers owning all partitions", () -> divide(workers));
    for (PostgresStore worker : workers) {
      assertThat(worker.ownedPartitions()).hasSize(16);
    }
  }

  @Test
  void aNoticeOfWork_wakesOnlyTheOwnerOfItsPartition() throws Exception {
    String hub = "wake" + ++hubs;
    PostgresStore client = worker(hub, NO_POLLING, InstantSource.system());
    PostgresStore first = worker(hub, NO_POLLING, InstantSource.system());
    PostgresStore second = worker(hub, NO_POLLING, InstantSource.system());
    first.nextOrchestration(Duration.ofMillis(1));
    second.nextOrchestration(Duration.ofMillis(1));
    Poll.until("two workers sharing the partitions", () -> divide(List.of(first, second)));
    CompletableFuture<Optional<OrchestrationWorkItem>> firstGets = waitFor(first);
    CompletableFuture<Optional<OrchestrationWorkItem>> secondGets = waitFor(second);
    long firstNotices = first.orchestrationNoticesTaken();

    String ofSecond = idOwnedBy(second, "s");
    client.createInstance(newInstance(pendingRecord(ofSecond, "Flow", Instant.now())));
    assertThat(secondGets.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasValueSatisfying(w -> assertThat(w.instance().instanceId()).isEqualTo(ofSecond));
    String ofFirst = idOwnedBy(first, "f");
    client.createInstance(newInstance(pendingRecord(ofFirst, "Flow", Instant.now())));
    assertThat(firstGets.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasValueSatisfying(w -> assertThat(w.instance().instanceId()).isEqualTo(ofFirst));

    // Notices arrive in commit order: the first worker heard of the second's instance before its
    // own, and was woken once, by its own. (Counted by notices, not by signals: a reconnect of the
    // listener or a late change of partitions, which a busy machine can delay into this window,
    // signals too.)
    assertThat(first.orchestrationNoticesTaken() - firstNotices).isEqualTo(1);
  }

  @Test
  void workOfAnotherWorkersPartition_isClaimedOnceItHasWaitedTheStealDelay() throws Exception {
    String hub = "steal" + ++hubs;
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    PostgresStore client = worker(hub, NO_POLLING, clock);
    PostgresStore idle = worker(hub, NO_POLLING, clock);
    PostgresStore behind = worker(hub, NO_POLLING, clock);
    idle.nextOrchestration(Duration.ofMillis(1));
    behind.nextOrchestration(Duration.ofMillis(1));
    Poll.until("two workers sharing the partitions", () -> divide(List.of(idle, behind)));

    String id = idOwnedBy(behind, "b");
    client.createInstance(newInstance(pendingRecord(id, "Flow", clock.instant())));
    assertThat(idle.nextOrchestration(Duration.ofMillis(300)))
        .as("the owner's work, fresh")
        .isEmpty();

    clock.advance(Duration.ofMillis(Partitions.STEAL_AFTER_MILLIS));
    assertThat(idle.nextOrchestration(WAIT))
        .as("the owner's work, waiting for %s ms", Partitions.STEAL_AFTER_MILLIS)
        .hasValueSatisfying(w -> assertThat(w.instance().instanceId()).isEqualTo(id));
  }

  /** True once the workers' partitions are disjoint and cover all of them. */
  private static boolean divide(List<PostgresStore> workers) {
    Set<Integer> union = new HashSet<>();
    int total = 0;
    for (PostgresStore worker : workers) {
      Integer[] owned = worker.ownedPartitions();
      union.addAll(Arrays.asList(owned));
      total += owned.length;
    }
    return union.equals(ALL) && total == Partitions.COUNT;
  }

  /** An instance id whose partition {@code worker} owns. */
  private static String idOwnedBy(PostgresStore worker, String prefix) {
    Set<Integer> owned = Set.of(worker.ownedPartitions());
    for (int i = 0; ; i++) {
      if (owned.contains(Partitions.of(prefix + i))) {
        return prefix + i;
      }
    }
  }

  private static CompletableFuture<Optional<OrchestrationWorkItem>> waitFor(PostgresStore worker) {
    CompletableFuture<Optional<OrchestrationWorkItem>> result = new CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                result.complete(worker.nextOrchestration(WAIT));
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            });
    return result;
  }

  private PostgresStore worker(String hub, Duration polling, InstantSource clock) {
    PostgresStore store =
        PostgresStore.open(postgres.options(hub).maxQueuePollingInterval(polling).build());
    store.start(clock);
    stores.add(store);
    return store;
  }
}
