package dev.fermata.grpc;

import dev.fermata.OrchestrationStatus;
import dev.fermata.grpc.protocol.OrchestratorService;

/**
 * Converts runtime statuses. Fermata's enum has the same eight members as the proto's (both follow
 * Durable Functions' {@code OrchestrationRuntimeStatus}), so the mapping is one to one, CANCELED
 * included: Fermata never produces CANCELED, and no SDK asks for it, but a status that is passed
 * through unchanged is easier to reason about than one that is silently turned into another.
 *
 * <p>Only a number the proto does not know ({@code UNRECOGNIZED}, sent by a newer peer) has no
 * equivalent; it is rejected rather than guessed.
 */
final class ProtoStatus {

  private ProtoStatus() {}

  static OrchestratorService.OrchestrationStatus toProto(OrchestrationStatus status) {
    return switch (status) {
      case RUNNING -> OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_RUNNING;
      case COMPLETED -> OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED;
      case CONTINUED_AS_NEW ->
          OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_CONTINUED_AS_NEW;
      case FAILED -> OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_FAILED;
      case CANCELED -> OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_CANCELED;
      case TERMINATED -> OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_TERMINATED;
      case PENDING -> OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_PENDING;
      case SUSPENDED -> OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_SUSPENDED;
    };
  }

  /**
   * @throws IllegalArgumentException for {@code UNRECOGNIZED}: a status number this proto version
   *     does not define
   */
  static OrchestrationStatus fromProto(OrchestratorService.OrchestrationStatus status) {
    return switch (status) {
      case ORCHESTRATION_STATUS_RUNNING -> OrchestrationStatus.RUNNING;
      case ORCHESTRATION_STATUS_COMPLETED -> OrchestrationStatus.COMPLETED;
      case ORCHESTRATION_STATUS_CONTINUED_AS_NEW -> OrchestrationStatus.CONTINUED_AS_NEW;
      case ORCHESTRATION_STATUS_FAILED -> OrchestrationStatus.FAILED;
      case ORCHESTRATION_STATUS_CANCELED -> OrchestrationStatus.CANCELED;
      case ORCHESTRATION_STATUS_TERMINATED -> OrchestrationStatus.TERMINATED;
      case ORCHESTRATION_STATUS_PENDING -> OrchestrationStatus.PENDING;
      case ORCHESTRATION_STATUS_SUSPENDED -> OrchestrationStatus.SUSPENDED;
      case UNRECOGNIZED ->
          throw new IllegalArgumentException("unknown orchestration status number in the request");
    };
  }
}
