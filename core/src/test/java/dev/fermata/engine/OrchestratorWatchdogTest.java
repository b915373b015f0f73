package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.OrchestratorBlockedException;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Orchestrator code that blocks instead of awaiting durable tasks does not hold a worker. */
class OrchestratorWatchdogTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void codeThatBlocks_isInterruptedAndRetried_thenQuarantinedNamingWhereItWas() {
    AtomicInteger interrupted = new AtomicInteger();
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .maxConcurrentOrchestrations(1) // one worker: the blocking code must give it back
            .maxDeliveryAttempts(3)
            .orchestratorBlockingLimit(Duration.ofSeconds(1))
            .orchestrator(
                "Sleepy",
                ctx -> {
                  try {
                    Thread.sleep(Duration.ofMinutes(10));
                  } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                  }
                  return "woke";
                })
            .orchestrator("Quick", ctx -> "quick")
            .build()
            .start()) {
      String sleepy = engine.client().scheduleNew("Sleepy", null);
      String quick = engine.client().scheduleNew("Quick", null);

      assertThat(engine.client().waitForCompletion(quick, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);
      InstanceState failed = engine.client().waitForCompletion(sleepy, WAIT);

      assertThat(failed.getStatus()).isEqualTo(OrchestrationStatus.FAILED);
      assertThat(failed.getFailureDetails().errorMessage())
          .contains("failed 3 times in a row")
          .contains(OrchestratorBlockedException.class.getName())
          .contains("Orchestrator 'Sleepy' (instance '" + sleepy + "')")
          .contains("ran for more than 1000 ms without awaiting a durable task")
          .contains("java.lang.Thread.sleep(")
          .contains("OrchestratorWatchdogTest");
      // Each blocked episode's sleep is interrupted (the code's thread runs on after the abandon).
      Poll.until("three sleeps interrupted", () -> interrupted.get() == 3);
    }
  }

  @Test
  void theLimitIsOff_whenZero_andANegativeOneIsRefused() {
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .orchestratorBlockingLimit(Duration.ZERO)
            .orchestrator(
                "Slow",
                ctx -> {
                  Thread.sleep(300);
                  return "done";
                })
            .build()
            .start()) {
      String id = engine.client().scheduleNew("Slow", null);
      assertThat(engine.client().waitForCompletion(id, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Fermata.builder().orchestratorBlockingLimit(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("orchestratorBlockingLimit must be positive (or zero for no limit)");
  }
}
