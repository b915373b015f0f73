package dev.fermata.samples.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.testing.FermataExtension;
import dev.fermata.testing.FermataTestEnvironment;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scenario's own 20-second deadline, in virtual time. */
class WarehouseShippingVirtualTimeTest {
  @RegisterExtension
  final FermataExtension fermata =
      FermataExtension.of(
          env -> env.functions(b -> WarehouseShipping.register(b, WarehouseSettings.DEFAULTS)));

  @Test
  void withoutTheShipEvent_theOrderIsEscalatedAfterTwentySeconds(FermataTestEnvironment env) {
    Instant start = env.now();
    String id = env.client().scheduleNew(WarehouseShipping.ORCHESTRATOR, null);

    var done = env.waitForCompletion(id);

    assertThat(done.getSerializedOutput())
        .isEqualTo("[\"The order is escalated to Head of department!\"]");
    assertThat(env.now()).isEqualTo(start.plusSeconds(20));
  }

  @Test
  void aShipEventAtNineteenSeconds_shipsTheOrder(FermataTestEnvironment env) {
    Instant start = env.now();
    String id = env.client().scheduleNew(WarehouseShipping.ORCHESTRATOR, null);
    env.raiseEventAfter(Duration.ofSeconds(19), id, WarehouseShipping.SHIP_EVENT, null);

    var done = env.waitForCompletion(id);

    assertThat(done.getSerializedOutput()).isEqualTo("[\"The order is shipped!\"]");
    assertThat(env.now()).isEqualTo(start.plusSeconds(19));
  }
}
