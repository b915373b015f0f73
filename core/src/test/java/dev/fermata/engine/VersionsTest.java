package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceState;
import dev.fermata.history.HistoryEvent;
import dev.fermata.memory.InMemoryStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Orchestration versions: given at start or by default, kept, and handed down to children. */
class VersionsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static Fermata engine(String defaultVersion) {
    return Fermata.builder()
        .store(new InMemoryStore())
        .defaultVersion(defaultVersion)
        .orchestrator(
            "Parent",
            ctx -> {
              String child =
                  ctx.callSubOrchestrator(
                          "Child", null, ctx.getInstanceId() + ":child", String.class)
                      .await();
              return ctx.getVersion() + "/" + child;
            })
        .orchestrator("Child", ctx -> String.valueOf(ctx.getVersion()))
        .orchestrator(
            "Looping",
            ctx -> {
              int round = ctx.getInput(Integer.class);
              if (round < 2) {
                ctx.continueAsNew(round + 1);
                return null;
              }
              return ctx.getVersion();
            })
        .build()
        .start();
  }

  @Test
  void aVersionGivenAtStart_isShown_seenByTheCode_andHandedDownToChildren() {
    try (Fermata engine = engine("1.0")) {
      String id =
          engine
              .client()
              .scheduleNew("Parent", null, StartOptions.withId("order-1").withVersion("2.0"));

      InstanceState done = engine.client().waitForCompletion(id, WAIT);

      assertThat(done.getVersion()).isEqualTo("2.0");
      assertThat(done.getSerializedOutput()).isEqualTo("\"2.0/2.0\"");
      assertThat(engine.client().getInstance("order-1:child").orElseThrow().getVersion())
          .isEqualTo("2.0");
      assertThat(engine.client().getHistory(id))
          .filteredOn(HistoryEvent.ExecutionStarted.class::isInstance)
          .singleElement()
          .extracting(e -> ((HistoryEvent.ExecutionStarted) e).version())
          .isEqualTo("2.0");
    }
  }

  @Test
  void withoutOne_theDefaultApplies_andSurvivesContinueAsNewAndRestart() {
    try (Fermata engine = engine("1.0")) {
      String id = engine.client().scheduleNew("Looping", 0);

      InstanceState done = engine.client().waitForCompletion(id, WAIT);

      assertThat(done.getSerializedOutput()).isEqualTo("\"1.0\"");
      assertThat(done.getVersion()).isEqualTo("1.0");
      String again = engine.client().restart(id, true);
      assertThat(engine.client().waitForCompletion(again, WAIT).getVersion()).isEqualTo("1.0");
    }
  }

  @Test
  void withNoDefault_instancesHaveNoVersion() {
    try (Fermata engine = engine(null)) {
      String id = engine.client().scheduleNew("Parent", null);

      InstanceState done = engine.client().waitForCompletion(id, WAIT);

      assertThat(done.getVersion()).isNull();
      assertThat(done.getSerializedOutput()).isEqualTo("\"null/null\"");
    }
  }
}
