package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.InstanceNotFoundException;
import dev.fermata.ReplayVerdict;
import dev.fermata.entities.EntityId;
import dev.fermata.history.HistoryEvent;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Fermata.checkReplay: a stored history against the code, with nothing run or recorded. */
class CheckReplayTest {
  @Test
  void changedCode_isFoundAtTheStep_andNothingIsRecorded() {
    // The code's first step, changed between checks as a new release would change it.
    AtomicReference<String> firstStep = new AtomicReference<>("Pack");
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .orchestrator(
                "Flow",
                ctx -> {
                  ctx.callActivity(firstStep.get(), null, String.class).await();
                  return ctx.waitForExternalEvent("Go", String.class).await();
                })
            .activity("Pack", ctx -> "packed")
            .activity("Weigh", ctx -> "weighed")
            .entity("counter", ctx -> null)
            .build()
            .start()) {
      String id = engine.client().scheduleNew("Flow", null);
      Poll.until(
          "Flow waiting for Go",
          () ->
              engine.client().getHistory(id).stream()
                  .anyMatch(HistoryEvent.TaskCompleted.class::isInstance));
      int stored = engine.client().getHistory(id).size();

      ReplayVerdict same = engine.checkReplay(id);
      firstStep.set("Weigh");
      ReplayVerdict changed = engine.checkReplay(id);

      assertThat(same.outcome()).isEqualTo(ReplayVerdict.Outcome.MATCHES);
      assertThat(same.historyEvents()).isEqualTo(stored);
      assertThat(same.message()).isNull();
      assertThat(changed.outcome()).isEqualTo(ReplayVerdict.Outcome.DIFFERS);
      assertThat(changed.message())
          .contains("sequence #0")
          .contains("activity 'Pack'")
          .contains("activity 'Weigh'");
      assertThat(engine.client().getHistory(id)).hasSize(stored);

      engine.client().signalEntity(new EntityId("counter", "c1"), "add", 1);
      Poll.until("the entity's row", () -> engine.store().getInstance("@counter@c1").isPresent());
      assertThat(engine.checkReplay("@counter@c1").outcome())
          .isEqualTo(ReplayVerdict.Outcome.NOT_HERE);
      assertThatThrownBy(() -> engine.checkReplay("no-such-instance"))
          .isInstanceOf(InstanceNotFoundException.class);

      // Not started yet: its code will run from the beginning, so any code fits.
      String later =
          engine
              .client()
              .scheduleNew(
                  "Flow",
                  null,
                  new FermataClient.StartOptions(null, Instant.now().plus(Duration.ofDays(1))));
      assertThat(engine.checkReplay(later).outcome()).isEqualTo(ReplayVerdict.Outcome.MATCHES);
      assertThat(engine.checkReplay(later).historyEvents()).isZero();
      // A history from elsewhere must say which orchestrator it belongs to.
      assertThatThrownBy(
              () ->
                  engine.checkReplay(
                      "x", List.of(new HistoryEvent.OrchestratorStarted(Instant.now()))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has no ExecutionStarted event");
    }
  }
}
