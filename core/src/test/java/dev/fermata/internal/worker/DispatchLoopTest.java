package dev.fermata.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DispatchLoopTest {
  private static final int SLOTS = 2;

  /** Items whose handlers work until released, then (optionally) wait for a "commit". */
  private static final class Loop extends DispatchLoop<Integer> {
    final LinkedBlockingQueue<Integer> items = new LinkedBlockingQueue<>();
    final boolean releaseBeforeCommit;
    final CountDownLatch commits = new CountDownLatch(1);
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger waitingForCommit = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();

    Loop(boolean releaseBeforeCommit) {
      super("test-loop", new Semaphore(SLOTS));
      this.releaseBeforeCommit = releaseBeforeCommit;
    }

    @Override
    protected Optional<Integer> next(Duration maxWait) throws InterruptedException {
      return Optional.ofNullable(items.poll(maxWait.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    protected void handle(Integer item, Slot slot) {
      running.incrementAndGet();
      try {
        if (releaseBeforeCommit) {
          slot.release();
          slot.release(); // a second release must not hand out an extra permit
        }
        waitingForCommit.incrementAndGet();
        commits.await();
        done.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        running.decrementAndGet();
      }
    }
  }

  @Test
  void itemsHoldingTheirSlot_areBoundedBySlots() throws Exception {
    Loop loop = new Loop(false);
    for (int i = 0; i < 20; i++) {
      loop.items.add(i);
    }
    loop.start();
    awaitValue(loop.waitingForCommit, SLOTS);
    Thread.sleep(200);
    assertThat(loop.running.get()).isEqualTo(SLOTS);
    loop.commits.countDown();
    awaitValue(loop.done, 20);
    assertThat(loop.stop(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void itemsWaitingForCommits_giveTheirSlotBack_upToTheBacklogBound() throws Exception {
    Loop loop = new Loop(true);
    int backlog = SLOTS * DispatchLoop.BACKLOG_FACTOR;
    for (int i = 0; i < backlog * 3; i++) {
      loop.items.add(i);
    }
    loop.start();
    awaitValue(loop.waitingForCommit, backlog);
    Thread.sleep(200);
    assertThat(loop.inFlight()).as("items in flight, waiting for commits").isEqualTo(backlog);
    loop.commits.countDown();
    awaitValue(loop.done, backlog * 3);
    assertThat(loop.stop(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void stop_waitsForCommitsToo() throws Exception {
    Loop loop = new Loop(true);
    loop.items.add(1);
    loop.start();
    awaitValue(loop.waitingForCommit, 1);
    assertThat(loop.stop(Duration.ofMillis(300)))
        .as("an item still waiting for its commit is not drained")
        .isFalse();
    loop.commits.countDown();
    awaitValue(loop.done, 1);
  }

  private static void awaitValue(AtomicInteger value, int expected) {
    Poll.until("at least " + expected, Duration.ofSeconds(10), () -> value.get() >= expected);
    assertThat(value.get()).isEqualTo(expected);
  }
}
