package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceState;
import dev.fermata.NonDeterminismException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.PoisonMessageException;
import dev.fermata.TaskFailedException;
import dev.fermata.entities.CriticalSection;
import dev.fermata.entities.EntityId;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.client.ClientImpl;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StoreUnavailableException;
import dev.fermata.storetest.FailingCheckpoints;
import dev.fermata.storetest.StoreProxy;
import dev.fermata.testsupport.Poll;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What happens when things go wrong: changed code, unreadable work, full caches, shutdown. */
class EngineRobustnessTest extends EngineTestSupport {
  private int cacheSize = 10_000;
  private final InMemoryStore memory = new InMemoryStore();

  @Override
  protected DurableStore newStore() {
    return memory;
  }

  @Override
  protected int cacheSize() {
    return cacheSize;
  }

  @Test
  void changedOrchestratorCode_failsTheInstanceOnReplay_namingSequenceAndBothActions() {
    cacheSize = 0; // every episode replays, as after a restart with new code
    AtomicBoolean v2 = new AtomicBoolean();
    start(
        b ->
            b.orchestrator(
                    "Flow",
                    ctx -> {
                      ctx.callActivity(v2.get() ? "Ship" : "Pack", null, String.class).await();
                      return ctx.waitForExternalEvent("go", String.class).await();
                    })
                .activity("Pack", ctx -> "packed")
                .activity("Ship", ctx -> "shipped"));
    String id = client.scheduleNew("Flow", null);
    Poll.until(
        "first activity",
        () ->
            client.getHistory(id).stream().anyMatch(HistoryEvent.TaskCompleted.class::isInstance));

    v2.set(true);
    client.raiseEvent(id, "go", "now");

    InstanceState done = client.waitForCompletion(id, WAIT);
    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.FAILED);
    assertThat(done.getFailureDetails().errorType())
        .isEqualTo(NonDeterminismException.class.getName());
    assertThat(done.getFailureDetails().errorMessage())
        .contains("sequence #0")
        .contains("the history has activity 'Pack'")
        .contains("now schedules activity 'Ship'");
  }

  @Test
  void workItemThatKeepsFailing_isQuarantined_whileOtherInstancesKeepGoing() {
    cacheSize = 0;
    DurableStore brokenForOne = failingHistoryFor(memory, "poison");
    start(
        brokenForOne,
        b ->
            b.maxDeliveryAttempts(3)
                .orchestrator(
                    "Two",
                    ctx -> {
                      ctx.createTimer(Duration.ofMillis(50)).await();
                      return ctx.callActivity("Nop", null, String.class).await();
                    })
                .activity("Nop", ctx -> "ok"));

    String poison = client.scheduleNew("Two", null, StartOptions.withId("poison"));
    List<String> healthy = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      healthy.add(client.scheduleNew("Two", null));
    }

    for (String id : healthy) {
      assertThat(client.waitForCompletion(id, WAIT).readOutputAs(String.class)).isEqualTo("ok");
    }
    InstanceState quarantined = client.waitForCompletion(poison, WAIT);
    assertThat(quarantined.getStatus()).isEqualTo(OrchestrationStatus.FAILED);
    assertThat(quarantined.getFailureDetails().errorType())
        .isEqualTo(PoisonMessageException.class.getName());
    assertThat(quarantined.getFailureDetails().isNonRetriable()).isTrue();
    assertThat(quarantined.getFailureDetails().errorMessage())
        .contains("failed 3 times in a row")
        .contains("dead-letter")
        .contains("history store is down");
    assertThat(memory.deadLetters("poison", 0, 10)).isNotEmpty();
  }

  @Test
  void entityBatchThatKeepsFailing_isDeadLettered_andItsCallersFailInsteadOfWaiting() {
    EntityId poisoned = new EntityId(Counter.NAME, "poisoned");
    EntityId healthy = new EntityId(Counter.NAME, "healthy");
    DurableStore cannotSaveOne = FailingCheckpoints.forInstance(memory, poisoned.toString());
    start(
        cannotSaveOne,
        b ->
            b.maxDeliveryAttempts(3)
                .entity(Counter.NAME, Counter.FUNCTION)
                .orchestrator(
                    "AddAndGet",
                    String.class,
                    (ctx, key) -> {
                      EntityId counter = new EntityId(Counter.NAME, key);
                      ctx.callEntity(counter, "add", 5, Void.class).await();
                      try {
                        return "got " + ctx.callEntity(counter, "get", null, Integer.class).await();
                      } catch (TaskFailedException e) {
                        return "failed: " + e.getMessage();
                      }
                    }));

    String poisonedCaller = client.scheduleNew("AddAndGet", poisoned.key());
    String healthyCaller = client.scheduleNew("AddAndGet", healthy.key());

    assertThat(client.waitForCompletion(healthyCaller, WAIT).readOutputAs(String.class))
        .isEqualTo("got 5");
    InstanceState failed = client.waitForCompletion(poisonedCaller, WAIT);
    assertThat(failed.getStatus())
        .as("the first call's failure is not caught: the caller fails, it does not wait forever")
        .isEqualTo(OrchestrationStatus.FAILED);
    assertThat(failed.getFailureDetails().errorType())
        .as("the uncaught TaskFailedException of the call")
        .isEqualTo(TaskFailedException.class.getName());
    assertThat(failed.getFailureDetails().innerFailure().errorType())
        .isEqualTo(PoisonMessageException.class.getName());
    assertThat(failed.getFailureDetails().isCausedBy(PoisonMessageException.class)).isTrue();
    assertThat(failed.getFailureDetails().errorMessage())
        .contains("Entity '" + poisoned + "'")
        .contains("3 times in a row")
        .contains("dead-letter store")
        .contains("cannot save " + poisoned);
    assertThat(memory.deadLetters(poisoned.toString(), 0, 10)).isNotEmpty();
  }

  @Test
  void aLockRequestInADeadLetteredBatch_failsTheLock_andReleasesWhatItTook() {
    EntityId healthy = new EntityId(Counter.NAME, "healthy"); // locked first (sorted order)
    EntityId poisoned = new EntityId(Counter.NAME, "poisoned");
    start(
        FailingCheckpoints.forInstance(memory, poisoned.toString()),
        b ->
            b.maxDeliveryAttempts(3)
                .entity(Counter.NAME, Counter.FUNCTION)
                .orchestrator(
                    "LockBoth",
                    String.class,
                    (ctx, in) -> {
                      try (CriticalSection section = ctx.lockEntities(healthy, poisoned)) {
                        return "locked";
                      } catch (TaskFailedException e) {
                        boolean inSection = ctx.isInCriticalSection();
                        ctx.callEntity(healthy, "add", 1, Void.class).await();
                        return "lock failed ("
                            + e.getFailureDetails().errorType()
                            + "), in section: "
                            + inSection;
                      }
                    })
                .orchestrator(
                    "LockHealthy",
                    String.class,
                    (ctx, in) -> {
                      try (CriticalSection section = ctx.lockEntities(healthy)) {
                        return "got " + ctx.callEntity(healthy, "get", null, Integer.class).await();
                      }
                    }));

    String both = client.scheduleNew("LockBoth", null);
    assertThat(client.waitForCompletion(both, WAIT).readOutputAs(String.class))
        .as("the lock fails instead of waiting forever, and the section is left")
        .isEqualTo(
            "lock failed (" + PoisonMessageException.class.getName() + "), in section: false");
    String after = client.scheduleNew("LockHealthy", null);
    assertThat(client.waitForCompletion(after, WAIT).readOutputAs(String.class))
        .as("the entity locked on the way was released")
        .isEqualTo("got 1");
  }

  /**
   * A store may hand work out before the write that records the delivery has committed (a
   * redelivery's count, which must be durable before the work runs again); the item's {@code ready}
   * says when it has. Here the first hand-out of the instance and of its activity each carry a
   * ready that failed as a full disk would: neither may run then, both run at the next hand-out.
   */
  @Test
  void workWhoseDeliveryCouldNotBeRecorded_doesNotRun_andIsHandedOutAgain() {
    AtomicInteger episodeHandOuts = new AtomicInteger();
    AtomicInteger activityHandOuts = new AtomicInteger();
    DurableStore firstDeliveriesFail =
        StoreProxy.around(
            memory,
            (method, args, next) -> {
              Object result = next.call();
              CompletableFuture<Void> diskFull =
                  CompletableFuture.failedFuture(
                      new StoreUnavailableException("disk full", new IOException("ENOSPC")));
              if (result instanceof Optional<?> o
                  && o.orElse(null) instanceof OrchestrationWorkItem item
                  && episodeHandOuts.incrementAndGet() == 1) {
                return Optional.of(
                    new OrchestrationWorkItem(
                        item.instance(),
                        item.messages(),
                        item.lockToken(),
                        item.historyKnownEmpty(),
                        diskFull));
              }
              if (result instanceof Optional<?> o
                  && o.orElse(null) instanceof ActivityWorkItem item
                  && activityHandOuts.incrementAndGet() == 1) {
                return Optional.of(
                    new ActivityWorkItem(
                        item.id(), item.task(), item.deliveryCount(), item.lockToken(), diskFull));
              }
              return result;
            });
    AtomicInteger firstEpisodeAtHandOut = new AtomicInteger();
    AtomicInteger activityRunAtHandOut = new AtomicInteger();
    start(
        firstDeliveriesFail,
        b ->
            b.orchestrator(
                    "Once",
                    ctx -> {
                      if (!ctx.isReplaying()) {
                        firstEpisodeAtHandOut.compareAndSet(0, episodeHandOuts.get());
                      }
                      return ctx.callActivity("Mark", null, String.class).await();
                    })
                .activity(
                    "Mark",
                    actx -> {
                      activityRunAtHandOut.set(activityHandOuts.get());
                      return "marked";
                    }));

    String id = client.scheduleNew("Once", null);

    assertThat(client.waitForCompletion(id, WAIT).readOutputAs(String.class)).isEqualTo("marked");
    assertThat(firstEpisodeAtHandOut.get())
        .as("the episode ran at the second hand-out")
        .isEqualTo(2);
    assertThat(activityRunAtHandOut.get())
        .as("the activity ran at its second hand-out")
        .isEqualTo(2);
  }

  /** A store whose history reads fail for one instance, like a row that cannot be decoded. */
  private static DurableStore failingHistoryFor(DurableStore target, String instanceId) {
    return StoreProxy.around(
        target,
        (method, args, next) -> {
          if (method.equals("getHistory") && instanceId.equals(args[0])) {
            throw new IllegalStateException("history store is down for " + instanceId);
          }
          return next.call();
        });
  }

  /**
   * A refused checkpoint leaves its runner ahead of the stored history, which another worker may
   * have extended by as many events (so the history-length check cannot tell). The refusal unlocks
   * the instance: its next episode may start on this worker before the refused one has evicted the
   * runner, and must then replay rather than take it. Here the "other worker" records event "b" in
   * place of the episode that took "a", and the refused episode's thread is held until the next
   * episode's checkpoint comes (or 2 s). Reusing the runner, that episode records "a" again on a
   * runner that never saw "b": the instance would wait for "b" forever.
   */
  @Test
  void refusedCheckpoint_itsRunnerIsNotReused_evenByAnEpisodeThatStartsBeforeItIsEvicted()
      throws Exception {
    AtomicBoolean refused = new AtomicBoolean();
    CountDownLatch nextCheckpoint = new CountDownLatch(1);
    DurableStore otherWorkerWins =
        StoreProxy.around(
            memory,
            (method, args, next) -> {
              if (method.equals("checkpoint")
                  && args[0] instanceof Checkpoint c
                  && c.instanceId().equals("ab")) {
                if (refused.get()) {
                  nextCheckpoint.countDown();
                } else if (c.newEvents().stream()
                    .anyMatch(
                        e -> e instanceof HistoryEvent.EventRaised r && r.name().equals("a"))) {
                  refused.set(true);
                  Instant now = Instant.now();
                  memory
                      .checkpoint(
                          new Checkpoint(
                              c.instanceId(),
                              c.lockToken(),
                              List.of(),
                              false,
                              false,
                              c.firstEventIndex(),
                              List.of(
                                  new HistoryEvent.OrchestratorStarted(now),
                                  new HistoryEvent.EventRaised(now, "b", "\"B\"")),
                              c.instance(),
                              List.of(),
                              List.of(),
                              List.of(),
                              null))
                      .join();
                  CompletableFuture<?> refusal = memory.checkpoint(c); // lock lost
                  nextCheckpoint.await(2, TimeUnit.SECONDS);
                  return refusal;
                }
              }
              return next.call();
            });
    start(
        otherWorkerWins,
        b ->
            b.orchestrator(
                "AB",
                ctx ->
                    ctx.waitForExternalEvent("a", String.class).await()
                        + ctx.waitForExternalEvent("b", String.class).await()));

    String id = client.scheduleNew("AB", null, StartOptions.withId("ab"));
    client.waitForStart(id, WAIT);
    client.raiseEvent(id, "a", "A");

    InstanceState done = client.waitForCompletion(id, Duration.ofSeconds(10));
    assertThat(refused).isTrue();
    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("AB");
  }

  @Test
  void evictedInstances_unwindTheirThreads_andReplayWhenTheirEventArrives() {
    cacheSize = 2;
    AtomicInteger unwound = new AtomicInteger();
    start(
        b ->
            b.orchestrator(
                "Park",
                ctx -> {
                  try {
                    return ctx.waitForExternalEvent("go", Integer.class).await() * 2;
                  } finally {
                    if (!ctx.isReplaying()) {
                      unwound.incrementAndGet();
                    }
                  }
                }));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(client.scheduleNew("Park", null));
    }
    for (String id : ids) {
      client.waitForStart(id, WAIT);
    }
    Poll.until("evicted threads to unwind", () -> unwound.get() >= 18);
    assertThat(engine.cachedInstances()).isLessThanOrEqualTo(2);

    for (int i = 0; i < ids.size(); i++) {
      client.raiseEvent(ids.get(i), "go", i);
    }
    for (int i = 0; i < ids.size(); i++) {
      assertThat(client.waitForCompletion(ids.get(i), WAIT).readOutputAs(Integer.class))
          .isEqualTo(i * 2);
    }
  }

  @Test
  void idleInstances_leaveTheCache_andReplayWhenTheirEventArrives() {
    AtomicInteger unwound = new AtomicInteger();
    start(
        b ->
            b.instanceIdleTimeout(Duration.ofMillis(200))
                .orchestrator(
                    "Idle",
                    ctx -> {
                      try {
                        return ctx.waitForExternalEvent("go", Integer.class).await() + 1;
                      } finally {
                        if (!ctx.isReplaying()) {
                          unwound.incrementAndGet();
                        }
                      }
                    }));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(client.scheduleNew("Idle", null));
    }
    for (String id : ids) {
      client.waitForStart(id, WAIT);
    }
    Poll.until("idle instances to leave the cache", () -> engine.cachedInstances() == 0);
    Poll.until("idle threads to unwind", () -> unwound.get() == 5);

    for (int i = 0; i < ids.size(); i++) {
      client.raiseEvent(ids.get(i), "go", i);
    }
    for (int i = 0; i < ids.size(); i++) {
      assertThat(client.waitForCompletion(ids.get(i), WAIT).readOutputAs(Integer.class))
          .isEqualTo(i + 1);
    }
  }

  @Test
  void finishedWaits_leaveNoWatchBehind() {
    start(b -> b.orchestrator("Wait", ctx -> ctx.waitForExternalEvent("go", String.class).await()));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(client.scheduleNew("Wait", null));
    }
    for (String id : ids) {
      client.waitForStart(id, WAIT);
      client.waitForStart(id, WAIT); // satisfied at once: must not leave a watch either
    }
    assertThat(((ClientImpl) client).watchedInstances()).isZero();

    client.raiseEvent(ids.getFirst(), "go", "x");
    assertThat(client.waitForCompletion(ids.getFirst(), WAIT).readOutputAs(String.class))
        .isEqualTo("x");
    assertThat(((ClientImpl) client).watchedInstances()).isZero();
  }

  @Test
  void close_letsRunningActivitiesFinishWithinTheGracePeriod() {
    AtomicBoolean finished = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean();
    start(
        b ->
            b.orchestrator("Slow", ctx -> ctx.callActivity("Work", null, String.class).await())
                .activity(
                    "Work",
                    ctx -> {
                      running.set(true);
                      Thread.sleep(500);
                      finished.set(true);
                      return "done";
                    }));
    client.scheduleNew("Slow", null);
    Poll.until("activity to start", running::get);

    engine.close();

    assertThat(finished).isTrue();
  }
}
