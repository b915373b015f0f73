package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.history.HistoryEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events that arrived before a scheduled start are sent after it, where the SDKs expect them. */
class WorkRequestsTest {
  private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
  private static final HistoryEvent OS1 = new HistoryEvent.OrchestratorStarted(T);
  private static final HistoryEvent EARLY = new HistoryEvent.EventRaised(T, "Approve", "\"Eve\"");
  private static final HistoryEvent OS2 = new HistoryEvent.OrchestratorStarted(T.plusSeconds(1));
  private static final HistoryEvent START =
      new HistoryEvent.ExecutionStarted(T, "Flow", "e1", null, null, T.plusSeconds(1));
  private static final HistoryEvent SCHEDULED =
      new HistoryEvent.TaskScheduled(T.plusSeconds(1), 0, "SayHello", "\"Eve\"");
  private static final HistoryEvent OS3 = new HistoryEvent.OrchestratorStarted(T.plusSeconds(2));
  private static final HistoryEvent DONE =
      new HistoryEvent.TaskCompleted(T.plusSeconds(2), 0, "\"Hello, Eve!\"");

  @Test
  void aStartInTheNewEvents_bringsTheHeldEventsAfterIt_asNew() {
    WorkRequests.Split split = WorkRequests.startFirst(List.of(OS1, EARLY), List.of(OS2, START));
    assertThat(split.past()).containsExactly(OS1);
    assertThat(split.fresh()).containsExactly(OS2, START, EARLY);
  }

  @Test
  void aStartInThePast_isReplayedWithTheHeldEventsAfterIt() {
    WorkRequests.Split split =
        WorkRequests.startFirst(List.of(OS1, EARLY, OS2, START, SCHEDULED), List.of(OS3, DONE));
    assertThat(split.past()).containsExactly(OS1, OS2, START, EARLY, SCHEDULED);
    assertThat(split.fresh()).containsExactly(OS3, DONE);
  }

  @Test
  void aHistoryThatStartsWithItsStart_isSentAsItIs() {
    List<HistoryEvent> past = List.of(OS1, START, SCHEDULED);
    List<HistoryEvent> fresh = List.of(OS3, DONE);
    WorkRequests.Split split = WorkRequests.startFirst(past, fresh);
    assertThat(split.past()).isSameAs(past);
    assertThat(split.fresh()).isSameAs(fresh);
  }
}
