package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.StringValue;
import dev.fermata.grpc.protocol.OrchestratorService;
import dev.fermata.grpc.protocol.OrchestratorService.EntityLockRequestedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.EntityOperationCalledEvent;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestratorResponse;
import dev.fermata.grpc.protocol.OrchestratorService.SendEntityMessageAction;
import dev.fermata.spi.EpisodeOutcome;
import dev.fermata.spi.OrchestratorAction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How an SDK's entity messages become the engine's actions. */
class WorkResponsesTest {
  static OrchestratorResponse answer(int id, SendEntityMessageAction.Builder message) {
    return OrchestratorResponse.newBuilder()
        .setInstanceId("flow-1")
        .addActions(
            OrchestratorService.OrchestratorAction.newBuilder()
                .setId(id)
                .setSendEntityMessage(message))
        .build();
  }

  @Test
  void aCall_keepsTheSdksRequestId_andTheEntityNameIsLowercased() {
    EpisodeOutcome outcome =
        WorkResponses.outcome(
            answer(
                3,
                SendEntityMessageAction.newBuilder()
                    .setEntityOperationCalled(
                        EntityOperationCalledEvent.newBuilder()
                            .setRequestId("r-3")
                            .setOperation("add")
                            .setInput(StringValue.of("1"))
                            .setTargetInstanceId(StringValue.of("@Counter@K1")))));

    assertThat(outcome.ending()).isNull();
    assertThat(outcome.actions())
        .containsExactly(new OrchestratorAction.CallEntity(3, "@counter@K1", "add", "1", "r-3"));
  }

  @Test
  void aLockSet_isPutInTheEnginesOrder() {
    EpisodeOutcome outcome =
        WorkResponses.outcome(
            answer(
                4,
                SendEntityMessageAction.newBuilder()
                    .setEntityLockRequested(
                        EntityLockRequestedEvent.newBuilder()
                            .setCriticalSectionId("cs-4")
                            .addLockSet("@b@1")
                            .addLockSet("@a@2")
                            .addLockSet("@b@1"))));

    assertThat(outcome.actions())
        .containsExactly(new OrchestratorAction.LockEntities(4, List.of("@a@2", "@b@1"), "cs-4"));
  }

  @Test
  void anEntityIdOfTheWrongForm_failsTheOrchestration_namingIt() {
    EpisodeOutcome outcome =
        WorkResponses.outcome(
            answer(
                5,
                SendEntityMessageAction.newBuilder()
                    .setEntityOperationCalled(
                        EntityOperationCalledEvent.newBuilder()
                            .setRequestId("r-5")
                            .setOperation("add")
                            .setTargetInstanceId(StringValue.of("counter-without-at")))));

    assertThat(outcome.ending())
        .isInstanceOfSatisfying(
            EpisodeOutcome.Failed.class,
            f ->
                assertThat(f.failure().errorMessage())
                    .contains("entity message (id 5)")
                    .contains("counter-without-at"));
  }
}
