package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.durabletask.implementation.protobuf.OrchestratorService;
import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Our messages, read by the published SDK's own generated classes. Both sets are on the test class
 * path at once, which is what the package rename is for; and what the SDK parses from our bytes is
 * what its worker replays.
 */
class SdkWireCompatibilityTest {

  static final Instant T = Instant.parse("2026-03-01T10:15:30.123456789Z");

  static OrchestratorService.HistoryEvent asTheSdkReadsIt(HistoryEvent event) throws Exception {
    byte[] wire = ProtoHistory.toProto(event, "order-42").orElseThrow().toByteArray();
    return OrchestratorService.HistoryEvent.parseFrom(wire);
  }

  @Test
  void bothGeneratedProtocols_loadSideBySide() {
    assertThat(dev.fermata.grpc.protocol.OrchestratorService.class.getName())
        .isNotEqualTo(OrchestratorService.class.getName());
    assertThat(dev.fermata.grpc.protocol.TaskHubSidecarServiceGrpc.SERVICE_NAME)
        .isEqualTo(
            com.microsoft.durabletask.implementation.protobuf.TaskHubSidecarServiceGrpc
                .SERVICE_NAME);
  }

  @Test
  void theSdkReadsExecutionStarted() throws Exception {
    OrchestratorService.HistoryEvent e =
        asTheSdkReadsIt(
            new HistoryEvent.ExecutionStarted(
                T, "Child", "exec-2", "{}", new ParentInstance("p-1", "p-exec", 7), null));

    assertThat(e.getEventId()).isEqualTo(-1);
    assertThat(e.getTimestamp().getNanos()).isEqualTo(123_456_789);
    assertThat(e.getExecutionStarted().getName()).isEqualTo("Child");
    assertThat(e.getExecutionStarted().getOrchestrationInstance().getInstanceId())
        .isEqualTo("order-42");
    assertThat(e.getExecutionStarted().getParentInstance().getTaskScheduledId()).isEqualTo(7);
    assertThat(e.getExecutionStarted().hasScheduledStartTimestamp()).isFalse();
  }

  @Test
  void theSdkReadsATaskScheduledAndItsFailure() throws Exception {
    OrchestratorService.HistoryEvent scheduled =
        asTheSdkReadsIt(new HistoryEvent.TaskScheduled(T, 3, "Charge", null));
    OrchestratorService.HistoryEvent failed =
        asTheSdkReadsIt(
            new HistoryEvent.TaskFailed(
                T,
                3,
                new FailureDetails(
                    "java.lang.IllegalStateException",
                    "declined",
                    null,
                    new FailureDetails("java.io.IOException", "io", "t", null, false),
                    true)));

    assertThat(scheduled.getEventId()).isEqualTo(3);
    assertThat(scheduled.getTaskScheduled().getName()).isEqualTo("Charge");
    assertThat(scheduled.getTaskScheduled().hasInput()).isFalse();
    OrchestratorService.TaskFailureDetails f = failed.getTaskFailed().getFailureDetails();
    assertThat(failed.getTaskFailed().getTaskScheduledId()).isEqualTo(3);
    assertThat(f.getErrorMessage()).isEqualTo("declined");
    assertThat(f.hasStackTrace()).isFalse();
    assertThat(f.getIsNonRetriable()).isTrue();
    assertThat(f.getInnerFailure().getStackTrace().getValue()).isEqualTo("t");
  }

  @Test
  void theSdkReadsExecutionCompletedStatus() throws Exception {
    OrchestratorService.HistoryEvent e =
        asTheSdkReadsIt(
            new HistoryEvent.ExecutionCompleted(
                T, OrchestrationStatus.CONTINUED_AS_NEW, "\"next\"", null));

    assertThat(e.getExecutionCompleted().getOrchestrationStatus())
        .isEqualTo(OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_CONTINUED_AS_NEW);
    assertThat(e.getExecutionCompleted().getResult().getValue()).isEqualTo("\"next\"");
  }

  @Test
  void anEventRaisedFromTheSdk_readsBackInFermata() throws Exception {
    // What the SDK puts in CompleteOrchestrationAction.carryoverEvents, built with its classes.
    OrchestratorService.HistoryEvent carried =
        OrchestratorService.HistoryEvent.newBuilder()
            .setEventId(-1)
            .setTimestamp(
                com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(T.getEpochSecond())
                    .setNanos(T.getNano()))
            .setEventRaised(
                OrchestratorService.EventRaisedEvent.newBuilder()
                    .setName("Item")
                    .setInput(com.google.protobuf.StringValue.of("")))
            .build();

    HistoryEvent back =
        ProtoHistory.fromProto(
            dev.fermata.grpc.protocol.OrchestratorService.HistoryEvent.parseFrom(
                carried.toByteArray()));

    assertThat(back).isEqualTo(new HistoryEvent.EventRaised(T, "Item", ""));
  }
}
