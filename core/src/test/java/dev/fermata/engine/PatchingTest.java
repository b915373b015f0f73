package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.OrchestrationContext;
import dev.fermata.OrchestrationStatus;
import dev.fermata.ReplayVerdict;
import dev.fermata.history.HistoryEvent;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** ctx.isPatched: changed code beside instances that started under the old code. */
class PatchingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Which release of the orchestrator runs: the old one, the patched one, the one after. */
  private enum Release {
    OLD,
    PATCHED,
    CLEANED_UP
  }

  private final AtomicReference<Release> release = new AtomicReference<>(Release.OLD);
  private final AtomicInteger receipts = new AtomicInteger();

  private String order(OrchestrationContext ctx) {
    ctx.callActivity("Charge", null, String.class).await();
    boolean receipt =
        switch (release.get()) {
          case OLD -> false;
          case PATCHED -> ctx.isPatched("send-receipt");
          case CLEANED_UP -> true;
        };
    if (receipt) {
      ctx.callActivity("SendReceipt", null, String.class).await();
    }
    ctx.waitForExternalEvent("Ship", String.class).await();
    // The first call decides: asking again answers the same.
    boolean again = release.get() == Release.PATCHED && ctx.isPatched("send-receipt");
    return (receipt ? "shipped with receipt" : "shipped") + (again != receipt ? " (!)" : "");
  }

  @Test
  void oldInstancesKeepTheOldPath_newOnesTakeTheNew_andTheMarkerOutlivesTheCall() {
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .instanceCacheSize(0) // every episode replays its history under the code of the day
            .orchestrator("Order", this::order)
            .activity("Charge", ctx -> "charged")
            .activity(
                "SendReceipt",
                ctx -> {
                  receipts.incrementAndGet();
                  return "sent";
                })
            .build()
            .start()) {
      String old = engine.client().scheduleNew("Order", null);
      awaitCharged(engine, old);

      release.set(Release.PATCHED); // deployed while the old instance waits
      String patched = engine.client().scheduleNew("Order", null);
      engine.client().raiseEvent(old, "Ship", null);
      engine.client().raiseEvent(patched, "Ship", null);

      assertThat(engine.client().waitForCompletion(old, WAIT).getSerializedOutput())
          .isEqualTo("\"shipped\"");
      assertThat(engine.client().waitForCompletion(patched, WAIT).getSerializedOutput())
          .isEqualTo("\"shipped with receipt\"");
      assertThat(receipts).hasValue(1);
      assertThat(engine.client().getHistory(patched))
          .filteredOn(HistoryEvent.PatchApplied.class::isInstance)
          .singleElement()
          .extracting(e -> ((HistoryEvent.PatchApplied) e).patchId())
          .isEqualTo("send-receipt");
      assertThat(engine.client().getHistory(old))
          .noneMatch(HistoryEvent.PatchApplied.class::isInstance);

      // Once the old instances are gone, the call goes and the new branch stays: the patched
      // instance's history still replays, its marker passed over.
      release.set(Release.CLEANED_UP);
      assertThat(engine.checkReplay(patched).outcome()).isEqualTo(ReplayVerdict.Outcome.MATCHES);
    }
  }

  @Test
  void aPatchNeedsAnId() {
    try (Fermata engine =
        Fermata.builder()
            .store(new InMemoryStore())
            .orchestrator("Blank", ctx -> ctx.isPatched(" "))
            .build()
            .start()) {
      String id = engine.client().scheduleNew("Blank", null);

      var failed = engine.client().waitForCompletion(id, WAIT);
      assertThat(failed.getStatus()).isEqualTo(OrchestrationStatus.FAILED);
      assertThat(failed.getFailureDetails().errorMessage()).isEqualTo("A patch needs an id");
    }
  }

  /** The checkpoint that records the charge's result ran the code past the patch point. */
  private static void awaitCharged(Fermata engine, String id) {
    Poll.until(
        "instance " + id + " charged",
        () ->
            engine.client().getHistory(id).stream()
                .anyMatch(HistoryEvent.TaskCompleted.class::isInstance));
  }
}
