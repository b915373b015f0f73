package dev.fermata.grpc;

import static dev.fermata.grpc.ProtoValues.setString;
import static dev.fermata.grpc.ProtoValues.setTimestamp;

import dev.fermata.grpc.protocol.OrchestratorService.OrchestrationState;
import dev.fermata.spi.InstanceRecord;

/**
 * Converts a stored instance row to the proto's {@code OrchestrationState}, what GetInstance, the
 * WaitFor* calls and QueryInstances answer with.
 *
 * <p>The state has a version and tags, which Fermata does not keep. Older SDKs (durabletask-java
 * 1.5.0) skip the execution id, parent and completion time, which their contract has no field for.
 */
final class ProtoInstances {

  private ProtoInstances() {}

  /**
   * The state of {@code instance}.
   *
   * @param withPayloads whether to include the input, output and custom status: clients ask for
   *     them only when they will read them ({@code getInputsAndOutputs}, {@code
   *     fetchInputsAndOutputs}), and they can be large. The failure details are always included:
   *     they say why an instance failed, which a client needs even without payloads.
   */
  static OrchestrationState toProto(InstanceRecord instance, boolean withPayloads) {
    OrchestrationState.Builder b =
        OrchestrationState.newBuilder()
            .setInstanceId(instance.instanceId())
            .setName(instance.name())
            .setOrchestrationStatus(ProtoStatus.toProto(instance.status()));
    setTimestamp(instance.createdAt(), b::setCreatedTimestamp);
    setTimestamp(instance.lastUpdatedAt(), b::setLastUpdatedTimestamp);
    setTimestamp(instance.scheduledStartAt(), b::setScheduledStartTimestamp);
    setTimestamp(instance.completedAt(), b::setCompletedTimestamp);
    setString(instance.executionId(), b::setExecutionId);
    setString(instance.version(), b::setVersion);
    if (instance.parent() != null) {
      setString(instance.parent().instanceId(), b::setParentInstanceId);
    }
    if (withPayloads) {
      setString(instance.input(), b::setInput);
      setString(instance.output(), b::setOutput);
      setString(instance.customStatus(), b::setCustomStatus);
    }
    if (instance.failure() != null) {
      b.setFailureDetails(ProtoFailures.toProto(instance.failure()));
    }
    return b.build();
  }
}
