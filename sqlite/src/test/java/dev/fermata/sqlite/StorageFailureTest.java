package dev.fermata.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.Fermata;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.StoreUnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, made real with SQLite's own page limit on the writer connection: writes fail with a
 * clear error while it lasts, and succeed again once there is room, without a restart.
 */
class StorageFailureTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long NO_LIMIT = 1L << 30;
  private static final String BIG = "x".repeat(64 * 1024); // needs new pages wherever it goes

  @TempDir Path dir;
  private SqliteStore store;
  private Fermata engine;

  @BeforeEach
  void openStore() {
    store = SqliteStore.open(dir.resolve("fermata.db"));
  }

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void aFullDisk_failsWritesClearly_andWritesSucceedOnceThereIsRoomAgain() {
    engine =
        Fermata.builder()
            .store(store)
            .orchestrator("Echo", ctx -> ctx.getInput(String.class))
            .build()
            .start();
    var client = engine.client();
    // Every statement of a start has run (and been kept) before the disk fills.
    client.waitForCompletion(client.scheduleNew("Echo", "before"), WAIT);

    store.limitWriterPages(1); // no page more than the file has now

    for (int attempt = 0; attempt < 3; attempt++) { // the same error each time, not a broken writer
      assertThatThrownBy(() -> client.scheduleNew("Echo", BIG))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageStartingWith("the store cannot write: disk full");
    }

    makeRoom();

    for (int i = 0; i < 3; i++) {
      InstanceState done = client.waitForCompletion(client.scheduleNew("Echo", BIG), WAIT);
      assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(done.readOutputAs(String.class)).isEqualTo(BIG);
    }
  }

  @Test
  void episodesTheStoreCannotRecord_doNotUseUpAttempts_andTheEngineIsNotReadyMeanwhile()
      throws Exception {
    int maxAttempts = 2;
    AtomicInteger episodes = new AtomicInteger();
    CountDownLatch activityRunning = new CountDownLatch(1);
    CountDownLatch diskFull = new CountDownLatch(1);
    engine =
        Fermata.builder()
            .store(store)
            .maxDeliveryAttempts(maxAttempts)
            .orchestrator(
                "Big",
                ctx -> {
                  episodes.incrementAndGet();
                  ctx.callActivity("Gate", null, String.class).await();
                  return BIG; // its checkpoint needs new pages
                })
            .activity(
                "Gate",
                ctx -> {
                  activityRunning.countDown();
                  diskFull.await();
                  return "open";
                })
            .build()
            .start();
    var client = engine.client();
    String id = client.scheduleNew("Big", null);
    assertThat(activityRunning.await(30, TimeUnit.SECONDS)).isTrue();
    store.limitWriterPages(1);
    int episodesBefore = episodes.get();
    diskFull.countDown();

    // The episode after the activity fails to checkpoint, and is retried: more times than the
    // attempts an instance has, which a failing store must not use up.
    BooleanSupplier running =
        () -> client.getInstance(id).orElseThrow().getStatus() == OrchestrationStatus.RUNNING;
    await(
        () -> episodes.get() >= episodesBefore + maxAttempts + 2 || !running.getAsBoolean(),
        "episodes retried");
    assertThat(running.getAsBoolean()).as("not quarantined").isTrue();
    assertThat(engine.writesFailingSince()).isPresent(); // what /readyz reports

    makeRoom();

    InstanceState done = client.waitForCompletion(id, WAIT);
    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo(BIG);
    await(() -> engine.writesFailingSince().isEmpty(), "writes reported healthy again");
  }

  /**
   * Lifts the page limit. Its write may share a batch with a write that fails for want of room,
   * which fails the whole batch: repeated until it succeeds, as any client would.
   */
  private void makeRoom() {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        assertThat(store.limitWriterPages(NO_LIMIT)).isEqualTo(NO_LIMIT);
        return;
      } catch (StoreUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }
}
