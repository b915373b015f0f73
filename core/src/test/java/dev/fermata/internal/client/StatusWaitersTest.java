package dev.fermata.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.OrchestrationStatus;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.storetest.StoreProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StatusWaitersTest {
  private final StatusWaiters waiters = new StatusWaiters();

  @Test
  void aQuietWait_readsLessAndLessOften_downToOnceAMinute() {
    long millis = 5_000;
    StringBuilder schedule = new StringBuilder().append(millis);
    for (int i = 0; i < 5; i++) {
      millis = ClientImpl.nextRecheck(millis);
      schedule.append(' ').append(millis);
    }
    assertThat(schedule.toString()).isEqualTo("5000 10000 20000 40000 60000 60000");
  }

  @Test
  void changesInQuickSuccession_areAllHeard_inOrder() throws Exception {
    StatusWaiters.Watch watch = waiters.watch("a");
    // Both land before the waiter looks: the second must not fall between two watches.
    waiters.changed("a", OrchestrationStatus.RUNNING);
    waiters.changed("a", OrchestrationStatus.COMPLETED);

    assertThat(StatusWaiters.await(watch, 10))
        .isEqualTo(new StatusWaiters.Heard(true, OrchestrationStatus.RUNNING, null));
    StatusWaiters.Watch second = StatusWaiters.next(watch);
    assertThat(StatusWaiters.await(second, 10))
        .isEqualTo(new StatusWaiters.Heard(true, OrchestrationStatus.COMPLETED, null));
    StatusWaiters.Watch third = StatusWaiters.next(second);
    assertThat(StatusWaiters.await(third, 10)).isEqualTo(StatusWaiters.Heard.NOTHING);

    waiters.release("a", third);
    assertThat(waiters.watchedInstances()).isZero();
  }

  @Test
  void aChangeToAnyInstance_wakesEveryWaiter_toReadItsRow() throws Exception {
    StatusWaiters.Watch a = waiters.watch("a");
    StatusWaiters.Watch b = waiters.watch("b");

    waiters.changed(null, null); // the store may have missed changes

    assertThat(StatusWaiters.await(a, 10)).isEqualTo(new StatusWaiters.Heard(true, null, null));
    assertThat(StatusWaiters.await(b, 10)).isEqualTo(new StatusWaiters.Heard(true, null, null));
    waiters.release("a", a);
    waiters.release("b", b);
    assertThat(waiters.watchedInstances()).isZero();
  }

  @Test
  void aChangeWithItsRow_isHeardWithTheRow() throws Exception {
    StatusWaiters.Watch watch = waiters.watch("a");
    InstanceRecord row =
        InstanceRecord.builder("a", "Flow")
            .status(OrchestrationStatus.COMPLETED)
            .output("\"done\"")
            .createdAt(Instant.EPOCH)
            .lastUpdatedAt(Instant.EPOCH)
            .build();

    waiters.changed(row);

    assertThat(StatusWaiters.await(watch, 10))
        .isEqualTo(new StatusWaiters.Heard(true, OrchestrationStatus.COMPLETED, row));
    waiters.release("a", watch);
  }

  @Test
  void aWaiterLeavingWithAnOlderWatch_stillLeavesNothingBehind() {
    StatusWaiters.Watch first = waiters.watch("a");
    StatusWaiters.Watch other = waiters.watch("a");
    waiters.changed("a", null);
    waiters.changed("a", OrchestrationStatus.FAILED);

    waiters.release("a", first); // never moved on to the successors
    assertThat(waiters.watchedInstances()).isOne();
    waiters.release("a", other);
    assertThat(waiters.watchedInstances()).isZero();
    waiters.changed("a", OrchestrationStatus.COMPLETED); // nobody waits: nothing kept
    assertThat(waiters.watchedInstances()).isZero();
  }

  @Test
  void waitingForCompletion_readsTheInstanceOnlyForChangesThatMayEndTheWait() throws Exception {
    InMemoryStore memory = new InMemoryStore();
    AtomicInteger reads = new AtomicInteger();
    AtomicBoolean completedStored = new AtomicBoolean();
    AtomicInteger readsAfterCompletion = new AtomicInteger();
    DurableStore counting =
        StoreProxy.around(
            memory,
            (method, args, next) -> {
              if (method.equals("getInstance")) {
                reads.incrementAndGet();
                if (completedStored.get()) {
                  readsAfterCompletion.incrementAndGet();
                }
              }
              if (method.equals("checkpoint")
                  && args[0] instanceof Checkpoint c
                  && c.instance().status() == OrchestrationStatus.COMPLETED) {
                completedStored.set(true);
              }
              return next.call();
            });
    try (Fermata fermata =
        Fermata.builder()
            .store(counting)
            .activity("Step", String.class, (ctx, s) -> s + "!")
            .orchestrator(
                "TwentySteps",
                String.class,
                (ctx, s) -> {
                  String out = s;
                  for (int i = 0; i < 20; i++) {
                    out = ctx.callActivity("Step", out, String.class).await();
                  }
                  return out;
                })
            .build()
            .start()) {
      String id = fermata.client().scheduleNew("TwentySteps", "go");
      reads.set(0);
      assertThat(fermata.client().waitForCompletion(id, Duration.ofSeconds(20)).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);
      // 21 checkpoints were reported (each with status Running or Completed); a read per change
      // would make 22 reads. Reads without a change (every 5 s) are the only others.
      assertThat(reads.get()).isBetween(1, 6);
      assertThat(readsAfterCompletion.get())
          .as("the completion came with its row: nothing to read")
          .isZero();
    }
  }
}
