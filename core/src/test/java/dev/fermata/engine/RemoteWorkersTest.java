package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.EpisodeOutcome;
import dev.fermata.spi.OrchestratorAction;
import dev.fermata.spi.RemoteEpisode;
import dev.fermata.spi.RemoteWorkers;
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

  /** Schedules activity "Remote" as action 7, then completes with the activity's result. */
  private static final class ScriptedWorker implements RemoteWorkers {
    final List<RemoteEpisode> episodes = new CopyOnWriteArrayList<>();
    final List<Integer> historyReadsSoFar = new CopyOnWriteArrayList<>();
    GatedStore store;
    final List<ActivityTask> activities = new CopyOnWriteArrayList<>();

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
}
