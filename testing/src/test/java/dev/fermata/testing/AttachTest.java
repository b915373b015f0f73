package dev.fermata.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.Fermata;
import dev.fermata.memory.InMemoryStore;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An engine built elsewhere, driven in virtual time and left to its owner. */
class AttachTest {
  private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");

  private static Fermata engineOn(VirtualClock clock) {
    return Fermata.builder()
        .store(new InMemoryStore())
        .clock(clock)
        .orchestrator(
            "Remind",
            ctx -> {
              ctx.createTimer(Duration.ofDays(7)).await();
              return "reminded";
            })
        .build()
        .start();
  }

  @Test
  void anEngineOnTheClock_passesItsTimersInVirtualTime_andStaysOpenAfterTheEnvironment() {
    VirtualClock clock = new VirtualClock(START);
    try (Fermata engine = engineOn(clock)) {
      String id;
      try (FermataTestEnvironment env = FermataTestEnvironment.attach(engine, clock)) {
        id = env.client().scheduleNew("Remind", null);
        assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"reminded\"");
        assertThat(env.now()).isEqualTo(START.plus(Duration.ofDays(7)));
        assertThatThrownBy(() -> env.callsTo("Anything"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("has no stand-in");
      }
      assertThat(engine.client().getInstance(id)).isPresent();
    }
  }

  @Test
  void anEngineOnAnotherClock_isRefused() {
    try (Fermata engine = engineOn(new VirtualClock(START))) {
      assertThatThrownBy(() -> FermataTestEnvironment.attach(engine, new VirtualClock(START)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not run on this virtual clock");
    }
  }
}
