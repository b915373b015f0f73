package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.internal.LogContext;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.ActivityTask;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The logging context (SLF4J's MDC) while the engine runs an orchestration or an activity: which
 * instance, execution, orchestration and activity; empty again afterwards.
 */
class LogContextTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();

  private void record(String where) {
    Map<String, String> context = MDC.getCopyOfContextMap();
    seen.put(where, context == null ? Map.of() : new HashMap<>(context));
  }

  @Test
  void orchestratorAndActivityCode_runWithTheirInstanceInTheLoggingContext() {
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .orchestrator(
                "Order",
                ctx -> {
                  record("orchestrator");
                  ctx.getLogger().info("ordering"); // the replay-safe logger
                  return ctx.callActivity("Charge", 7, String.class).await();
                })
            .activity(
                "Charge",
                ctx -> {
                  record("activity");
                  return "charged";
                })
            .build()
            .start()) {
      String id = engine.client().scheduleNew("Order", null);
      String executionId = engine.client().waitForCompletion(id, WAIT).getExecutionId();

      assertThat(seen.get("orchestrator"))
          .containsEntry("instanceId", id)
          .containsEntry("orchestrationName", "Order")
          .containsEntry("executionId", executionId)
          .doesNotContainKey("activityName");
      assertThat(seen.get("activity"))
          .containsEntry("instanceId", id)
          .containsEntry("executionId", executionId)
          .containsEntry("activityName", "Charge")
          .containsEntry("taskId", "0");
    }
  }

  @Test
  void theKeys_areTakenOutAgain_andNoOtherKey() {
    MDC.put("requestId", "r-1"); // the application's own
    try {
      try (LogContext logged =
          LogContext.activity(new ActivityTask("i-1", "e-1", 4, "Charge", null))) {
        assertThat(MDC.get("instanceId")).isEqualTo("i-1");
        assertThat(MDC.get("taskId")).isEqualTo("4");
      }

      assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("requestId", "r-1"));
    } finally {
      MDC.remove("requestId");
    }
  }
}
