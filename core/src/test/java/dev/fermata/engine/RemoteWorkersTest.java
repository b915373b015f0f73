package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FailureDetails;
import dev.fermata.Fermata;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.entities.CriticalSection;
import dev.fermata.entities.EntityId;
import dev.fermata.history.HistoryEvent;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.EntityBatchOutcome;
import dev.fermata.spi.EpisodeOutcome;
import dev.fermata.spi.OrchestratorAction;
import dev.fermata.spi.RemoteEntityBatch;
import dev.fermata.spi.RemoteEpisode;
import dev.fermata.spi.RemoteWorkers;
import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Orchestrations and activities the engine has no code for go to its remote workers; what they
 * answer is recorded as the engine records its own code's episodes.
 */
class RemoteWorkersTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Remote workers in this process: always there, so nothing is ever given back. */
  private abstract static class AlwaysConnected implements RemoteWorkers {
    @Override
    public boolean connected() {
      return true;
    }

    @Override
    public void onConnectionChange(Runnable listener) {}

    @Override
    public void giveBackWhenNoWorker(Duration after) {}
  }

  /** Schedules activity "Remote" as action 7, then completes with the activity's result. */
  private static final class ScriptedWorker extends AlwaysConnected {
    final List<RemoteEpisode> episodes = new CopyOnWriteArrayList<>();
    final List<Integer> historyReadsSoFar = new CopyOnWriteArrayList<>();
    GatedStore store;
    final List<ActivityTask> activities = new CopyOnWriteArrayList<>();
    final List<RemoteEntityBatch> batches = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<EpisodeOutcome> runEpisode(RemoteEpisode episode) {
      episodes.add(episode);
      historyReadsSoFar.add(store.historyReads());
      for (HistoryEvent e : episode.newEvents()) {
        if (e instanceof HistoryEvent.TaskCompleted done) {
          return CompletableFuture.completedFuture(
              outcome(List.of(), new EpisodeOutcome.Completed(done.result())));
        }
      }
      return CompletableFuture.completedFuture(
          outcome(List.of(new OrchestratorAction.ScheduleActivity(7, "Remote", "\"x\"")), null));
    }

    @Override
    public CompletableFuture<HistoryEvent> runActivity(ActivityTask task, int deliveryCount) {
      activities.add(task);
      return CompletableFuture.completedFuture(
          new HistoryEvent.TaskCompleted(Instant.now(), task.taskId(), "\"done remotely\""));
    }

    /**
     * A counter: "add" adds its input, "get" returns the count, "boom" fails (and, as an SDK does,
     * keeps nothing of what it did), "notify" signals entity {@code @audit@<key>} and starts
     * orchestration "Local".
     */
    @Override
    public CompletableFuture<EntityBatchOutcome> runEntityBatch(RemoteEntityBatch batch) {
      batches.add(batch);
      int count = batch.state() == null ? 0 : Integer.parseInt(batch.state());
      List<EntityBatchOutcome.OperationResult> results = new java.util.ArrayList<>();
      List<EntityBatchOutcome.EntityAction> actions = new java.util.ArrayList<>();
      for (RemoteEntityBatch.Operation op : batch.operations()) {
        switch (op.name()) {
          case "add" -> {
            count += Integer.parseInt(op.input());
            results.add(EntityBatchOutcome.OperationResult.success(null));
          }
          case "get" -> results.add(EntityBatchOutcome.OperationResult.success("" + count));
          case "notify" -> {
            actions.add(
                new EntityBatchOutcome.SignalEntity(
                    new EntityId("audit", batch.entity().key()), "seen", "" + count, null));
            actions.add(
                new EntityBatchOutcome.StartOrchestration(
                    "Local", "started-by-counter", null, null));
            results.add(EntityBatchOutcome.OperationResult.success(null));
          }
          default ->
              results.add(
                  EntityBatchOutcome.OperationResult.failed(
                      new FailureDetails(
                          "IllegalStateException", "no " + op.name(), null, null, false)));
        }
      }
      return CompletableFuture.completedFuture(
          new EntityBatchOutcome(results, "" + count, actions));
    }

    private static EpisodeOutcome outcome(
        List<OrchestratorAction> actions, EpisodeOutcome.Ending ending) {
      return new EpisodeOutcome(actions, ending, null, false, true, false, List.of());
    }
  }

  @Test
  void unknownNames_runRemotely_andTheActionIdsBecomeEventIds() {
    ScriptedWorker worker = new ScriptedWorker();
    GatedStore store = new GatedStore(new InMemoryStore());
    worker.store = store;
    store.open();
    try (Fermata engine =
        Fermata.builder()
            .store(store)
            .remoteWorkers(worker)
            .orchestrator("Local", ctx -> "ran here")
            .build()
            .start()) {
      String id = engine.client().scheduleNew("ElsewhereOnly", "in");
      InstanceState done = engine.client().waitForCompletion(id, WAIT);
      assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(done.getSerializedOutput()).isEqualTo("\"done remotely\"");

      List<HistoryEvent> history = engine.client().getHistory(id);
      assertThat(history)
          .filteredOn(HistoryEvent.TaskScheduled.class::isInstance)
          .singleElement()
          .satisfies(e -> assertThat(((HistoryEvent.TaskScheduled) e).eventId()).isEqualTo(7));
      assertThat(history)
          .filteredOn(HistoryEvent.TaskCompleted.class::isInstance)
          .singleElement()
          .satisfies(
              e -> assertThat(((HistoryEvent.TaskCompleted) e).taskScheduledId()).isEqualTo(7));
      assertThat(worker.activities).singleElement().extracting(ActivityTask::taskId).isEqualTo(7);

      // The second episode was sent the history the first one stored, kept in memory.
      assertThat(worker.episodes).hasSize(2);
      RemoteEpisode second = worker.episodes.get(1);
      assertThat(second.pastEvents())
          .containsExactlyElementsOf(history.subList(0, second.pastEvents().size()));
      assertThat(second.pastEvents())
          .hasAtLeastOneElementOfType(HistoryEvent.ExecutionStarted.class)
          .hasAtLeastOneElementOfType(HistoryEvent.TaskScheduled.class);
      assertThat(second.newEvents().get(0)).isInstanceOf(HistoryEvent.OrchestratorStarted.class);
      assertThat(worker.historyReadsSoFar.get(1))
          .as("history reads when the second episode was sent")
          .isEqualTo(worker.historyReadsSoFar.get(0));

      // The engine's own code still runs here.
      String local = engine.client().scheduleNew("Local", null);
      assertThat(engine.client().waitForCompletion(local, WAIT).getSerializedOutput())
          .isEqualTo("\"ran here\"");
      assertThat(worker.episodes).hasSize(2);
    }
  }

  @Test
  void entitiesWithoutCodeHere_runRemotely_underTheEnginesLocks() {
    ScriptedWorker worker = new ScriptedWorker();
    GatedStore store = new GatedStore(new InMemoryStore());
    worker.store = store;
    store.open();
    EntityId counter = new EntityId("counter", "c1");
    try (Fermata engine =
        Fermata.builder()
            .store(store)
            .remoteWorkers(worker)
            .orchestrator("Local", ctx -> "ran here")
            .entity(
                "audit",
                ctx -> {
                  ctx.setState(ctx.getInput(Integer.class));
                  return null;
                })
            .orchestrator(
                "UsesCounter",
                ctx -> {
                  try (CriticalSection section = ctx.lockEntities(counter)) {
                    ctx.callEntity(counter, "add", 5, Void.class).await();
                    ctx.callEntity(counter, "add", 2, Void.class).await();
                  }
                  String failure;
                  try {
                    ctx.callEntity(counter, "boom", null, Void.class).await();
                    failure = "none";
                  } catch (dev.fermata.TaskFailedException e) {
                    failure = e.getMessage();
                  }
                  ctx.callEntity(counter, "notify", null, Void.class).await();
                  return ctx.callEntity(counter, "get", null, Integer.class).await()
                      + " / "
                      + failure;
                })
            .build()
            .start()) {
      String id = engine.client().scheduleNew("UsesCounter", null);
      InstanceState done = engine.client().waitForCompletion(id, WAIT);

      assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(done.getSerializedOutput()).startsWith("\"7 / ").contains("no boom");
      assertThat(engine.client().getEntity(counter, Integer.class).orElseThrow().state())
          .isEqualTo(7);
      // Each batch carried the state the previous one left.
      assertThat(worker.batches).allSatisfy(b -> assertThat(b.entity()).isEqualTo(counter));
      assertThat(worker.batches.get(0).state()).isNull();
      assertThat(worker.batches.get(worker.batches.size() - 1).state()).isEqualTo("7");
      // What "notify" sent: a signal to a local entity and a new orchestration.
      EntityId audit = new EntityId("audit", "c1");
      Poll.until(
          "the audit entity got the count",
          () ->
              engine
                  .client()
                  .getEntity(audit, Integer.class)
                  .map(s -> s.state() == 7)
                  .orElse(false));
      assertThat(
              engine.client().waitForCompletion("started-by-counter", WAIT).getSerializedOutput())
          .isEqualTo("\"ran here\"");
    }
  }

  /** Locks an entity, and ends once the lock is granted without releasing it. */
  private static final class EndsHoldingALock extends AlwaysConnected {
    @Override
    public CompletableFuture<EpisodeOutcome> runEpisode(RemoteEpisode episode) {
      boolean granted =
          episode.newEvents().stream().anyMatch(HistoryEvent.EntityLockGranted.class::isInstance);
      EpisodeOutcome outcome =
          granted
              ? new EpisodeOutcome(
                  List.of(),
                  new EpisodeOutcome.Completed("\"done\""),
                  null,
                  false,
                  true,
                  false,
                  List.of())
              : new EpisodeOutcome(
                  List.of(new OrchestratorAction.LockEntities(0, List.of("@counter@held"), "cs-0")),
                  null,
                  null,
                  false,
                  true,
                  false,
                  List.of());
      return CompletableFuture.completedFuture(outcome);
    }

    @Override
    public CompletableFuture<HistoryEvent> runActivity(ActivityTask task, int deliveryCount) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public CompletableFuture<EntityBatchOutcome> runEntityBatch(RemoteEntityBatch batch) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }
  }

  @Test
  void aRemoteExecutionThatEndsHoldingLocks_hasThemReleased_andItsSectionIdKept() {
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .remoteWorkers(new EndsHoldingALock())
            .build()
            .start()) {
      String id = engine.client().scheduleNew("Locker", null);
      assertThat(engine.client().waitForCompletion(id, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);

      assertThat(engine.client().getHistory(id))
          .filteredOn(HistoryEvent.EntityLockRequested.class::isInstance)
          .singleElement()
          .satisfies(
              e ->
                  assertThat(((HistoryEvent.EntityLockRequested) e).requestId()).isEqualTo("cs-0"));
      Poll.until(
          "the lock released",
          () ->
              engine
                  .client()
                  .queryEntities(dev.fermata.entities.EntityQuery.all().withIncludeDeleted(true))
                  .entities()
                  .stream()
                  .noneMatch(e -> e.lockedBy() != null));
    }
  }
}
