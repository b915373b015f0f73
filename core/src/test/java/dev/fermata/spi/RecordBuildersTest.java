package dev.fermata.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordBuildersTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = T0.plusSeconds(1);

  // ---- InstanceRecord ----

  @Test
  void instanceBuilder_leavesWhatIsNotSetNull() {
    InstanceRecord r = minimalRow().build();

    assertThat(r)
        .isEqualTo(
            new InstanceRecord(
                "a",
                "Flow",
                null,
                OrchestrationStatus.PENDING,
                null,
                null,
                null,
                null,
                T0,
                T0,
                null,
                null,
                null,
                null,
                null));
  }

  @Test
  void instanceToBuilder_roundTripsEveryComponent() {
    InstanceRecord full = fullRow();
    assertEveryComponentSet(full);

    assertThat(full.toBuilder().build()).isEqualTo(full);
  }

  @Test
  void instanceBuilder_setsEachComponent() {
    InstanceRecord full = fullRow();
    InstanceRecord built =
        InstanceRecord.builder(full.instanceId(), full.name())
            .executionId(full.executionId())
            .status(full.status())
            .input(full.input())
            .output(full.output())
            .failure(full.failure())
            .customStatus(full.customStatus())
            .createdAt(full.createdAt())
            .lastUpdatedAt(full.lastUpdatedAt())
            .scheduledStartAt(full.scheduledStartAt())
            .completedAt(full.completedAt())
            .parent(full.parent())
            .version(full.version())
            .traceParent(full.traceParent())
            .build();

    assertThat(built).isEqualTo(full);
  }

  @Test
  void instanceBuild_namesTheMissingComponent() {
    assertMissing(InstanceRecord.builder(null, "Flow"), "instanceId");
    assertMissing(InstanceRecord.builder("a", null), "name");
    assertMissing(minimalRow().status(null), "status");
    assertMissing(minimalRow().createdAt(null), "createdAt");
    assertMissing(minimalRow().lastUpdatedAt(null), "lastUpdatedAt");
    assertMissing(fullRow().toBuilder().name(null), "name");
  }

  @Test
  void withers_changeOnlyWhatTheyAreAbout() {
    InstanceRecord running = fullRow().toBuilder().status(OrchestrationStatus.RUNNING).build();

    InstanceRecord completed = running.withStatus(OrchestrationStatus.COMPLETED, T1);
    assertThat(completed)
        .isEqualTo(
            running.toBuilder()
                .status(OrchestrationStatus.COMPLETED)
                .lastUpdatedAt(T1)
                .completedAt(T1)
                .build());
    assertThat(completed.withStatus(OrchestrationStatus.RUNNING, T1).completedAt()).isNull();

    FailureDetails boom = new FailureDetails("Boom", "boom", null, null, false);
    assertThat(running.withOutcome(OrchestrationStatus.FAILED, null, boom, T1))
        .isEqualTo(
            running.withStatus(OrchestrationStatus.FAILED, T1).toBuilder()
                .output(null)
                .failure(boom)
                .build());

    assertThat(running.withCustomStatus("\"half way\""))
        .isEqualTo(running.toBuilder().customStatus("\"half way\"").build());
  }

  @Test
  void canonicalConstructor_stillAcceptsAnIncompleteRow() {
    // Stores map rows column by column, and tests hand them rows a schema refuses on purpose.
    InstanceRecord partial =
        new InstanceRecord(
            "a", null, null, null, null, null, null, null, null, null, null, null, null, null,
            null);

    assertThat(partial.name()).isNull();
  }

  // ---- Checkpoint ----

  @Test
  void checkpointBuilder_defaultsToAnEpisodeThatChangesNothingElse() {
    InstanceRecord row = fullRow();
    Checkpoint c = Checkpoint.builder("a", 7).instance(row).build();

    assertThat(c)
        .isEqualTo(
            new Checkpoint(
                "a", 7, List.of(), false, false, 0, List.of(), row, List.of(), List.of(), List.of(),
                null));
  }

  @Test
  void checkpointToBuilder_roundTripsEveryComponent() {
    Checkpoint full = fullCheckpoint();
    assertEveryComponentSet(full);

    assertThat(full.toBuilder().build()).isEqualTo(full);
  }

  @Test
  void checkpointBuilder_setsEachComponent() {
    Checkpoint full = fullCheckpoint();
    Checkpoint built =
        Checkpoint.builder(full.instanceId(), full.lockToken())
            .consumedMessageIds(full.consumedMessageIds())
            .deadLetter(full.deadLetter())
            .resetHistory(full.resetHistory())
            .firstEventIndex(full.firstEventIndex())
            .newEvents(full.newEvents())
            .instance(full.instance())
            .newTasks(full.newTasks())
            .newMessages(full.newMessages())
            .newInstances(full.newInstances())
            .deadLetterReason(full.deadLetterReason())
            .build();

    assertThat(built).isEqualTo(full);
  }

  @Test
  void checkpointBuild_namesTheMissingComponent() {
    assertMissing(Checkpoint.builder("a", 7), "instance");
    assertMissing(Checkpoint.builder(null, 7).instance(fullRow()), "instanceId");
    Checkpoint.Builder b = Checkpoint.builder("a", 7);
    assertThatThrownBy(() -> b.consumedMessageIds(null)).hasMessage("consumedMessageIds");
    assertThatThrownBy(() -> b.newEvents(null)).hasMessage("newEvents");
    assertThatThrownBy(() -> b.newTasks(null)).hasMessage("newTasks");
    assertThatThrownBy(() -> b.newMessages(null)).hasMessage("newMessages");
    assertThatThrownBy(() -> b.newInstances(null)).hasMessage("newInstances");
  }

  @Test
  void checkpointBuilder_keepsTheListsAsTheyWereWhenSet() {
    List<Long> ids = new ArrayList<>(List.of(1L, 2L));
    Checkpoint.Builder b = Checkpoint.builder("a", 7).instance(fullRow()).consumedMessageIds(ids);
    ids.add(3L);

    assertThat(b.build().consumedMessageIds()).containsExactly(1L, 2L);
  }

  // ---- helpers ----

  private static InstanceRecord.Builder minimalRow() {
    return InstanceRecord.builder("a", "Flow")
        .status(OrchestrationStatus.PENDING)
        .createdAt(T0)
        .lastUpdatedAt(T0);
  }

  /** A row with every component set, through the canonical constructor on purpose. */
  private static InstanceRecord fullRow() {
    return new InstanceRecord(
        "a",
        "Flow",
        "exec-1",
        OrchestrationStatus.FAILED,
        "\"in\"",
        "\"out\"",
        new FailureDetails("Boom", "boom", "at x", null, true),
        "\"custom\"",
        T0,
        T1,
        T0.plusMillis(5),
        T1,
        new ParentInstance("p", "exec-p", 3),
        "1.0",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  }

  private static Checkpoint fullCheckpoint() {
    InstanceRecord row = fullRow();
    HistoryEvent raised = new HistoryEvent.EventRaised(T1, "go", "\"x\"");
    InstanceRecord child =
        InstanceRecord.builder("child", "Child")
            .executionId("exec-c")
            .status(OrchestrationStatus.PENDING)
            .createdAt(T1)
            .lastUpdatedAt(T1)
            .build();
    return new Checkpoint(
        "a",
        7,
        List.of(1L, 2L),
        true,
        true,
        4,
        List.of(raised),
        row,
        List.of(new ActivityTask("a", "exec-1", 1, "Act", "\"in\"")),
        List.of(NewMessage.now("b", raised)),
        List.of(
            new NewInstance(
                child,
                new HistoryEvent.ExecutionStarted(T1, "Child", "exec-c", null, null, null),
                null)),
        "poison");
  }

  /**
   * Fails unless every component holds a value other than its builder default, so that a round trip
   * through toBuilder() covers them all, including any added later.
   */
  private static void assertEveryComponentSet(Record r) {
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object value;
      try {
        value = c.getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      assertThat(value).as(c.getName()).isNotNull().isNotEqualTo(false);
      if (value instanceof Number n) {
        assertThat(n.longValue()).as(c.getName()).isNotZero();
      }
      if (value instanceof Collection<?> list) {
        assertThat(list).as(c.getName()).isNotEmpty();
      }
    }
  }

  private static void assertMissing(InstanceRecord.Builder b, String component) {
    assertThatThrownBy(b::build).isInstanceOf(NullPointerException.class).hasMessage(component);
  }

  private static void assertMissing(Checkpoint.Builder b, String component) {
    assertThatThrownBy(b::build).isInstanceOf(NullPointerException.class).hasMessage(component);
  }
}
