package dev.fermata.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FailureDetails;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PendingResultsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static ActivityWorkItem item(String instanceId, long taskRow) {
    return new ActivityWorkItem(
        taskRow, new ActivityTask(instanceId, "e1", 1, "Work", null, null), 0, 1);
  }

  private static HistoryEvent completed(int chars) {
    return new HistoryEvent.TaskCompleted(T0, 1, "x".repeat(chars));
  }

  @Test
  void holdsUpToTheCount_thenRefuses() {
    PendingResults pending = new PendingResults(2);

    assertThat(pending.add(item("a", 1), completed(1), T0)).isEqualTo(PendingResults.Added.HELD);
    assertThat(pending.add(item("b", 2), completed(1), T0)).isEqualTo(PendingResults.Added.HELD);
    assertThat(pending.add(item("c", 3), completed(1), T0)).isEqualTo(PendingResults.Added.FULL);

    pending.remove("a", 1);
    assertThat(pending.add(item("c", 3), completed(1), T0)).isEqualTo(PendingResults.Added.HELD);
  }

  @Test
  void aResultLargerThanTheBound_isNeverHeld() {
    PendingResults pending = new PendingResults(10);

    assertThat(pending.add(item("a", 1), completed(PendingResults.MAX_HELD_RESULT_CHARS), T0))
        .isEqualTo(PendingResults.Added.HELD);
    assertThat(pending.add(item("b", 2), completed(PendingResults.MAX_HELD_RESULT_CHARS + 1), T0))
        .isEqualTo(PendingResults.Added.FULL);
  }

  @Test
  void heldResultsTakeNoMoreThanTheMemoryBound_andFreeItWhenRemoved() {
    PendingResults pending = new PendingResults(1_000_000);
    int each = PendingResults.MAX_HELD_RESULT_CHARS;
    long fit = PendingResults.MAX_HELD_CHARS / each;

    for (long row = 1; row <= fit; row++) {
      assertThat(pending.add(item("i" + row, row), completed(each), T0))
          .isEqualTo(PendingResults.Added.HELD);
    }
    assertThat(pending.heldChars()).isEqualTo(fit * each);
    assertThat(pending.add(item("over", fit + 1), completed(each), T0))
        .isEqualTo(PendingResults.Added.FULL);
    // An empty result takes no room.
    assertThat(pending.add(item("tiny", fit + 2), completed(0), T0))
        .isEqualTo(PendingResults.Added.HELD);

    pending.remove("i1", 1);
    assertThat(pending.removeInstance("i2")).hasSize(1);
    assertThat(pending.heldChars()).isEqualTo((fit - 2) * each);
    assertThat(pending.add(item("over", fit + 1), completed(each), T0))
        .isEqualTo(PendingResults.Added.HELD);

    pending.drain();
    assertThat(pending.heldChars()).isZero();
  }

  @Test
  void aFailureCountsItsMessageStackAndCauses() {
    FailureDetails cause = new FailureDetails("Inner", "m2", "s22", null, false);
    FailureDetails outer = new FailureDetails("Outer", "m1", "s1", cause, false);

    assertThat(PendingResults.charsOf(new HistoryEvent.TaskFailed(T0, 1, outer)))
        .isEqualTo("Outer".length() + 2 + 2 + "Inner".length() + 2 + 3);
    assertThat(PendingResults.charsOf(new HistoryEvent.TaskCompleted(T0, 1, null))).isZero();
  }
}
