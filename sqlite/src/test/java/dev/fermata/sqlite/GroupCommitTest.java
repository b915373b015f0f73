package dev.fermata.sqlite;

import static dev.fermata.storetest.CheckpointBuilder.episode;
import static dev.fermata.storetest.StoreFixtures.NAME;
import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static dev.fermata.storetest.StoreFixtures.raised;
import static dev.fermata.storetest.StoreFixtures.startEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.fermata.FermataException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.storetest.MutableClock;
import dev.fermata.testsupport.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit, observed by holding the writer thread: an instance-change listener (which runs on
 * the writer after a commit) blocks until the test has queued the writes it wants in one batch.
 */
class GroupCommitTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Set<OrchestrationStatus> ANY_RUNNING_LIKE =
      Set.of(OrchestrationStatus.PENDING, OrchestrationStatus.RUNNING);

  @TempDir Path dir;
  private SqliteStore store;
  private final AtomicBoolean holdNextChange = new AtomicBoolean();
  private final CountDownLatch writerHeld = new CountDownLatch(1);
  private final CountDownLatch releaseWriter = new CountDownLatch(1);

  @BeforeEach
  void startStore() {
    store = SqliteStore.open(dir.resolve("fermata.db"));
    store.start(new MutableClock(T0));
    store.addInstanceChangeListener(
        (id, status) -> {
          if (holdNextChange.compareAndSet(true, false)) {
            writerHeld.countDown();
            awaitQuietly(releaseWriter);
          }
        });
  }

  @AfterEach
  void closeStore() {
    releaseWriter.countDown();
    store.close();
  }

  /** Blocks the writer thread inside the post-commit actions of a throwaway instance. */
  private void holdWriter() throws InterruptedException {
    holdNextChange.set(true);
    Thread.ofVirtual()
        .start(() -> store.createInstance(newInstance(pendingRecord("holder", NAME, T0))));
    assertThat(writerHeld.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void concurrentWrites_areCommittedInFewTransactionsOfAtMostMaxBatch() throws Exception {
    store.createInstance(newInstance(pendingRecord("target", NAME, T0)));
    holdWriter();
    int writes = 1000;
    List<Thread> senders = new ArrayList<>();
    for (int i = 0; i < writes; i++) {
      NewMessage message = NewMessage.now("target", raised("e" + i, T0));
      senders.add(Thread.ofVirtual().start(() -> store.sendMessage(message, ANY_RUNNING_LIKE)));
    }
    awaitQueuedWrites(writes);
    long commitsBefore = store.committedTransactionCount();

    releaseWriter.countDown();
    for (Thread sender : senders) {
      sender.join(10_000);
    }

    // 1000 queued writes = one batch of MAX_BATCH (512) and one of the remaining 488.
    assertThat(store.committedTransactionCount() - commitsBefore).isEqualTo(2);
    assertThat(
            RawDb.count(
                store.options().path(), "SELECT COUNT(*) FROM inbox WHERE instance_id = 'target'"))
        .isEqualTo(1 + writes);
  }

  @Test
  void aFailingWrite_rollsBackAloneAndItsBatchMatesCommit() throws Exception {
    InstanceRecord created = pendingRecord("x", NAME, T0);
    store.createInstance(newInstance(created));
    OrchestrationWorkItem item = store.nextOrchestration(Duration.ofSeconds(10)).orElseThrow();
    // A write queued behind the hand-out's delivery count: once it returns, the queue is empty.
    store.purgeInstance("nobody");
    holdWriter();

    CompletableFuture<Optional<OrchestrationStatus>> before =
        CompletableFuture.supplyAsync(
            () -> store.sendMessage(NewMessage.now("x", raised("before", T0)), ANY_RUNNING_LIKE));
    awaitQueuedWrites(1);
    // Its history goes in, then the row breaks a NOT NULL constraint: the savepoint undoes both.
    InstanceRecord broken =
        new InstanceRecord(
            "x",
            NAME,
            created.executionId(),
            OrchestrationStatus.RUNNING,
            null,
            null,
            null,
            null,
            T0,
            null,
            null,
            null,
            null,
            null,
            null);
    CompletableFuture<Void> failing =
        store.checkpoint(episode(item, 0).events(startEvent(created)).instance(broken).build());
    CompletableFuture<Boolean> after =
        CompletableFuture.supplyAsync(
            () -> store.createInstance(newInstance(pendingRecord("y", NAME, T0))));
    awaitQueuedWrites(3);
    long commitsBefore = store.committedTransactionCount();

    releaseWriter.countDown();

    assertThat(before.get(10, TimeUnit.SECONDS)).contains(OrchestrationStatus.PENDING);
    assertThat(after.get(10, TimeUnit.SECONDS)).isTrue();
    ExecutionException failure =
        catchThrowableOfType(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
    assertThat(failure.getCause())
        .isInstanceOf(FermataException.class)
        .hasMessageContaining("NOT NULL");
    assertThat(store.committedTransactionCount() - commitsBefore).isEqualTo(1);
    assertThat(store.getHistory("x")).isEmpty();
    assertThat(store.getInstance("x")).contains(created);
    assertThat(store.getInstance("y")).isPresent();
    // The failed checkpoint kept the lock and consumed nothing: a correct one still applies.
    store
        .checkpoint(episode(item, 0).events(startEvent(created)).build())
        .get(10, TimeUnit.SECONDS);
    assertThat(store.getHistory("x")).hasSize(1);
  }

  private void awaitQueuedWrites(int writes) {
    Poll.until(
        writes + " queued writes",
        Duration.ofSeconds(10),
        () -> store.queuedWriteCount() == writes);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
