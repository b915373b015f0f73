package dev.fermata.sqlite.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.spi.DeadLetter;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An activity that kills its process every time it runs is run {@code maxDeliveryAttempts} times,
 * then dead-lettered: its orchestration gets a failure it can handle, instead of the task being
 * handed out forever.
 */
class HaltingActivityIT {
  private static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir Path dir;

  @Test
  void anActivityThatHaltsItsProcess_isDeadLetteredAfterTheBound() throws Exception {
    Path db = dir.resolve("halting.db");
    for (int delivery = 0; delivery < HaltingActivityMain.MAX_DELIVERY_ATTEMPTS; delivery++) {
      try (ChildJvm child =
          ChildJvm.start(
              HaltingActivityMain.class,
              dir.resolve("run-" + delivery + ".log"),
              db.toString(),
              delivery == 0 ? "start" : "resume")) {
        assertThat(child.awaitLineStartingWith("RUN ", WAIT)).isEqualTo("RUN " + delivery);
        assertThat(child.exitCode(WAIT)).as("the activity halted the JVM").isEqualTo(3);
      }
    }

    try (ChildJvm child =
        ChildJvm.start(
            HaltingActivityMain.class, dir.resolve("last.log"), db.toString(), "resume")) {
      assertThat(child.awaitLineStartingWith("DONE ", WAIT))
          .contains("caught Activity 'Halt'")
          .contains("was delivered 2 times without finishing");
      assertThat(child.saw("RUN 2")).as("not run a third time").isFalse();
      assertThat(child.stop(WAIT)).isZero();
    }

    try (SqliteStore store = SqliteStore.open(db)) {
      store.start(InstantSource.system());
      List<DeadLetter> letters = store.deadLetters(HaltingActivityMain.INSTANCE, 0, 10);
      assertThat(letters)
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.kind()).isEqualTo(DeadLetter.Kind.ACTIVITY);
                assertThat(d.description()).isEqualTo("Halt");
                assertThat(d.deliveryCount()).isEqualTo(3);
              });
    }
  }
}
