package dev.fermata.samples.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.history.HistoryEvent;
import dev.fermata.samples.SampleEngine;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarehouseShippingTest {
  @TempDir Path dir;

  @Test
  void theShipEventBeforeTheDeadlineShipsTheOrder_andCancelsTheTimer() {
    // The deadline is long enough that only the event can win, even on a slow machine.
    var settings = new WarehouseSettings(Duration.ofMinutes(10));
    try (SampleEngine engine =
        SampleEngine.start(dir, b -> WarehouseShipping.register(b, settings))) {
      String id = engine.client().scheduleNew(WarehouseShipping.ORCHESTRATOR, null);
      engine.client().raiseEvent(id, "Event_Ship", null);

      var done = engine.awaitCompleted(id);

      assertThat(done.getSerializedOutput()).isEqualTo("[\"The order is shipped!\"]");
      assertThat(engine.client().getHistory(id))
          .as("history of the shipped order")
          .noneMatch(e -> e instanceof HistoryEvent.TimerFired)
          .anyMatch(e -> e instanceof HistoryEvent.TimerCreated);
    }
  }

  @Test
  void withoutTheShipEventTheOrderIsEscalatedAtTheDeadline() {
    var settings = new WarehouseSettings(Duration.ofMillis(300));
    try (SampleEngine engine =
        SampleEngine.start(dir, b -> WarehouseShipping.register(b, settings))) {
      String id = engine.client().scheduleNew(WarehouseShipping.ORCHESTRATOR, null);

      var done = engine.awaitCompleted(id);

      assertThat(done.getSerializedOutput())
          .isEqualTo("[\"The order is escalated to Head of department!\"]");
      assertThat(engine.client().getHistory(id))
          .anyMatch(e -> e instanceof HistoryEvent.TimerFired);
    }
  }

  @Test
  void theDefaultsAreTheScenarios() {
    assertThat(WarehouseSettings.DEFAULTS.shipTimeout()).isEqualTo(Duration.ofSeconds(20));
  }
}
