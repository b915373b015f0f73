package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.OrchestrationStatus;
import dev.fermata.grpc.protocol.OrchestratorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProtoStatusTest {

  @ParameterizedTest
  @EnumSource(OrchestrationStatus.class)
  void everyStatus_roundTrips(OrchestrationStatus status) {
    assertThat(ProtoStatus.fromProto(ProtoStatus.toProto(status))).isEqualTo(status);
  }

  @ParameterizedTest
  @EnumSource(OrchestrationStatus.class)
  void theProtoNumber_isTheDurableFunctionsOrdinal(OrchestrationStatus status) {
    // Both enums follow Durable Functions' OrchestrationRuntimeStatus, member for member.
    OrchestratorService.OrchestrationStatus proto = ProtoStatus.toProto(status);

    assertThat(proto.getNumber()).isEqualTo(status.ordinal());
    assertThat(proto.name()).isEqualTo("ORCHESTRATION_STATUS_" + status.name());
  }

  @Test
  void everyProtoStatus_hasAFermataStatus() {
    for (OrchestratorService.OrchestrationStatus proto :
        OrchestratorService.OrchestrationStatus.values()) {
      if (proto != OrchestratorService.OrchestrationStatus.UNRECOGNIZED) {
        assertThat(ProtoStatus.toProto(ProtoStatus.fromProto(proto))).isEqualTo(proto);
      }
    }
  }

  @Test
  void canceled_isPassedThrough() {
    assertThat(
            ProtoStatus.fromProto(
                OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_CANCELED))
        .isEqualTo(OrchestrationStatus.CANCELED);
  }

  @Test
  void anUnknownNumber_isRejected() {
    OrchestratorService.OrchestrationState state =
        OrchestratorService.OrchestrationState.newBuilder().setOrchestrationStatusValue(42).build();

    assertThat(state.getOrchestrationStatus())
        .isEqualTo(OrchestratorService.OrchestrationStatus.UNRECOGNIZED);
    assertThatThrownBy(() -> ProtoStatus.fromProto(state.getOrchestrationStatus()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
