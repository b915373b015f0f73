package dev.fermata.postgres;

import static dev.fermata.storetest.CheckpointBuilder.episode;
import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static dev.fermata.storetest.StoreFixtures.raised;
import static dev.fermata.storetest.StoreFixtures.startEvent;
import static dev.fermata.storetest.StoreFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.OrchestrationStatus;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.storetest.CheckpointBuilder;
import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several workers (each a store with its own pool and listener, as in separate processes) on one
 * hub.
 */
class MultiWorkerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** So long that only a notification can wake a waiting worker within a test. */
  private static final Duration NO_POLLING = Duration.ofMinutes(5);

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
  void twoWorkersCreatingTheSameIdsAtOnce_eachIdIsCreatedExactlyOnce() throws Exception {
    String hub = "create" + ++hubs;
    PostgresStore a = worker(hub, NO_POLLING);
    PostgresStore b = worker(hub, NO_POLLING);
    int ids = 100;
    AtomicInteger created = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (PostgresStore store : List.of(a, b, a, b)) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      go.await();
                      for (int i = 0; i < ids; i++) {
                        if (store.createInstance(
                            newInstance(pendingRecord("dup-" + i, "Flow", Instant.now())))) {
                          created.incrementAndGet();
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(60_000);
    }

    assertThat(created.get()).isEqualTo(ids);
    int startMessages = 0;
    Optional<OrchestrationWorkItem> item;
    while ((item = a.nextOrchestration(Duration.ofMillis(500))).isPresent()) {
      startMessages += item.get().messages().size();
      a.checkpoint(
              episode(item.get(), 0).status(OrchestrationStatus.RUNNING, Instant.now()).build())
          .join();
    }
    assertThat(startMessages).as("one start message per id").isEqualTo(ids);
  }

  @Test
  void aWaitingWorker_isWokenByAnotherWorkersCommit_throughNotify() throws Exception {
    String hub = "notify" + ++hubs;
    PostgresStore idle = worker(hub, NO_POLLING);
    PostgresStore busy = worker(hub, NO_POLLING);
    CompletableFuture<Optional<OrchestrationWorkItem>> waiting = new CompletableFuture<>();
    Thread waiter =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    waiting.complete(idle.nextOrchestration(WAIT));
                  } catch (Throwable e) {
                    waiting.completeExceptionally(e);
                  }
                });
    // Only once it has looked and found nothing may the work appear: otherwise its first look,
    // not a notification, would find it.
    Poll.until("the idle worker to wait for a signal", () -> isWaitingForSignals(waiter));

    long created = System.nanoTime();
    busy.createInstance(newInstance(pendingRecord("n", "Flow", Instant.now())));

    assertThat(waiting.get(WAIT.toSeconds() + 5, TimeUnit.SECONDS))
        .as("woken before its wait of %s ran out; polling would take %s", WAIT, NO_POLLING)
        .hasValueSatisfying(w -> assertThat(w.instance().instanceId()).isEqualTo("n"));
    assertThat(Duration.ofNanos(System.nanoTime() - created)).isLessThan(WAIT);
  }

  /** The thread is parked in the wait for this worker's signals (not querying the database). */
  private static boolean isWaitingForSignals(Thread thread) {
    return thread.getState() == Thread.State.TIMED_WAITING
        && Arrays.stream(thread.getStackTrace())
            .anyMatch(
                frame ->
                    frame.getClassName().equals(Signals.class.getName())
                        && frame.getMethodName().equals("await"));
  }

  @Test
  void instanceChangeListeners_hearOfStatusChangesMadeByOtherWorkers_andOfNothingElse()
      throws Exception {
    String hub = "listen" + ++hubs;
    PostgresStore client = worker(hub, NO_POLLING);
    PostgresStore engine = worker(hub, NO_POLLING);
    List<String> heard = new CopyOnWriteArrayList<>();
    client.addInstanceChangeListener(
        (id, status) -> {
          if ("watched".equals(id)) {
            heard.add(String.valueOf(status));
          }
        });

    // Created: nobody can be waiting on an instance that did not exist, so nobody is told.
    engine.createInstance(newInstance(pendingRecord("watched", "Flow", Instant.now())));
    OrchestrationWorkItem first = engine.nextOrchestration(WAIT).orElseThrow();
    engine // Pending to Running: told
        .checkpoint(
            episode(first, 0)
                .events(startEvent(first.instance()))
                .status(OrchestrationStatus.RUNNING, Instant.now())
                .build())
        .join();
    raise(engine, "watched", "a");
    OrchestrationWorkItem second = engine.nextOrchestration(WAIT).orElseThrow();
    engine // Running to Running: not told
        .checkpoint(
            episode(second, 1)
                .events(raised("a", Instant.now()))
                .status(OrchestrationStatus.RUNNING, Instant.now())
                .build())
        .join();
    raise(engine, "watched", "b");
    OrchestrationWorkItem third = engine.nextOrchestration(WAIT).orElseThrow();
    engine // Running to Completed: told
        .checkpoint(
            episode(third, 2)
                .events(raised("b", Instant.now()))
                .status(OrchestrationStatus.COMPLETED, Instant.now())
                .build())
        .join();

    Poll.until("the completion heard", WAIT, () -> heard.contains("COMPLETED"));
    // Notifications arrive in commit order: anything sent for the second checkpoint would be here.
    assertThat(heard).containsExactly("RUNNING", "COMPLETED");
  }

  private static void raise(PostgresStore store, String instanceId, String name) {
    InstanceRecord row = store.getInstance(instanceId).orElseThrow();
    assertThat(
            store.sendMessage(
                new NewMessage(instanceId, row.executionId(), null, raised(name, Instant.now())),
                Set.of(OrchestrationStatus.RUNNING)))
        .contains(OrchestrationStatus.RUNNING);
  }

  @Test
  void workFromOneClient_spreadsAcrossThreeWorkers() throws Exception {
    String hub = "spread" + ++hubs;
    List<PostgresStore> workers =
        List.of(
            worker(hub, Duration.ofMillis(100)),
            worker(hub, Duration.ofMillis(100)),
            worker(hub, Duration.ofMillis(100)));
    int instances = 60;
    for (int i = 0; i < instances; i++) {
      workers.get(0).createInstance(newInstance(pendingRecord("s" + i, "Flow", Instant.now())));
    }
    ConcurrentHashMap<String, Set<String>> episodesBy = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    AtomicInteger done = new AtomicInteger();
    for (PostgresStore worker : workers) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      while (done.get() < instances) {
                        Optional<OrchestrationWorkItem> item =
                            worker.nextOrchestration(Duration.ofMillis(200));
                        if (item.isEmpty()) {
                          continue;
                        }
                        String id = item.get().instance().instanceId();
                        Thread.sleep(20); // an episode takes a little time
                        worker
                            .checkpoint(
                                episode(item.get(), 0)
                                    .events(raised("e", Instant.now()))
                                    .status(OrchestrationStatus.COMPLETED, Instant.now())
                                    .build())
                            .join();
                        episodesBy
                            .computeIfAbsent(worker.workerId(), k -> ConcurrentHashMap.newKeySet())
                            .add(id);
                        done.incrementAndGet();
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join(60_000);
    }

    assertThat(done.get()).isEqualTo(instances);
    assertThat(episodesBy).hasSize(3);
    assertThat(episodesBy.values().stream().mapToInt(Set::size).sum()).isEqualTo(instances);
    for (int i = 0; i < instances; i++) {
      assertThat(workers.get(1).getHistory("s" + i)).hasSize(1);
    }
  }

  @Test
  void aWorkerClaimsTasksForItsWaitingThreadsOnly_theRestStayForOtherWorkers() throws Exception {
    String hub = "tasks" + ++hubs;
    PostgresStore busy = worker(hub, NO_POLLING);
    PostgresStore idle = worker(hub, NO_POLLING);
    InstanceRecord record = pendingRecord("fan", "Flow", Instant.now());
    busy.createInstance(newInstance(record));
    OrchestrationWorkItem item = busy.nextOrchestration(WAIT).orElseThrow();
    CheckpointBuilder fanOut =
        episode(item, 0)
            .events(startEvent(record))
            .status(OrchestrationStatus.RUNNING, Instant.now());
    for (int i = 0; i < 40; i++) {
      fanOut.task(task(record, i, "Work"));
    }
    busy.checkpoint(fanOut.build()).join();

    // One thread waiting: one task claimed, so another worker finds the other 39 unlocked.
    ActivityWorkItem first = busy.nextActivity(WAIT).orElseThrow();
    assertThat(first.task().taskId()).isZero();
    try (var db = postgres.connect();
        var count = db.createStatement();
        var row =
            count.executeQuery(
                "SELECT count(*) FROM fermata_" + hub + ".tasks WHERE locked_by IS NOT NULL")) {
      row.next();
      assertThat(row.getInt(1)).as("locked tasks").isEqualTo(1);
    }

    // Many threads waiting: claimed in batches, each task handed out once across both workers.
    Set<Integer> handedOut = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (PostgresStore worker : List.of(busy, idle)) {
      for (int t = 0; t < 8; t++) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        Optional<ActivityWorkItem> next;
                        while ((next = worker.nextActivity(Duration.ofMillis(300))).isPresent()) {
                          if (!handedOut.add(next.get().task().taskId())) {
                            duplicates.incrementAndGet();
                          }
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
      }
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    assertThat(duplicates.get()).isZero();
    assertThat(handedOut).hasSize(39).doesNotContain(0);
  }

  @Test
  void workersPurgingTheSameExpiredInstancesAtOnce_purgeEachOnce_withoutErrors() throws Exception {
    String hub = "purge" + ++hubs;
    PostgresStore a = worker(hub, NO_POLLING);
    PostgresStore b = worker(hub, NO_POLLING);
    int ids = 300;
    for (int i = 0; i < ids; i++) {
      a.createInstance(newInstance(pendingRecord("done-" + i, "Flow", Instant.now())));
    }
    Optional<OrchestrationWorkItem> item;
    while ((item = a.nextOrchestration(Duration.ofMillis(500))).isPresent()) {
      a.checkpoint(
              episode(item.get(), 0).status(OrchestrationStatus.COMPLETED, Instant.now()).build())
          .join();
    }
    InstanceFilter expired = new InstanceFilter(Set.of(), null, null, null, null, Instant.now());

    AtomicInteger purged = new AtomicInteger();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (PostgresStore store : List.of(a, b, a, b)) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      go.await();
                      int n;
                      do {
                        n = store.purgeInstances(expired, 50);
                        purged.addAndGet(n);
                      } while (n > 0);
                    } catch (Throwable e) {
                      errors.add(e);
                    }
                  }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(60_000);
    }

    assertThat(errors).isEmpty();
    assertThat(purged.get()).isEqualTo(ids);
    assertThat(a.queryInstances(InstanceFilter.all(), 10, null).instances()).isEmpty();
  }

  private PostgresStore worker(String hub, Duration polling) {
    PostgresStore store =
        PostgresStore.open(postgres.options(hub).maxQueuePollingInterval(polling).build());
    store.start(InstantSource.system());
    stores.add(store);
    return store;
  }
}
