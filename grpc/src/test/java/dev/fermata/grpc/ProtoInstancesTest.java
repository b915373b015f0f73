package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.grpc.protocol.OrchestratorService;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestrationState;
import dev.fermata.history.ParentInstance;
import dev.fermata.spi.InstanceRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProtoInstancesTest {

  static final Instant CREATED = Instant.parse("2026-03-01T10:00:00.000000123Z");
  static final Instant UPDATED = Instant.parse("2026-03-01T10:00:05.987654321Z");
  static final Instant SCHEDULED = Instant.parse("2026-03-01T10:00:01.5Z");
  static final Instant COMPLETED = Instant.parse("2026-03-01T10:00:05.987654321Z");

  static InstanceRecord completed() {
    return InstanceRecord.builder("order-42", "Checkout")
        .executionId("exec-1")
        .status(OrchestrationStatus.COMPLETED)
        .input("{\"n\":1}")
        .output("\"done\"")
        .customStatus("")
        .createdAt(CREATED)
        .lastUpdatedAt(UPDATED)
        .scheduledStartAt(SCHEDULED)
        .completedAt(COMPLETED)
        .parent(new ParentInstance("parent-1", "parent-exec", 3))
        .build();
  }

  static OrchestrationState overTheWire(OrchestrationState s) throws Exception {
    return OrchestrationState.parseFrom(s.toByteArray());
  }

  @Test
  void withPayloads_sendsEveryFieldTheProtoHas() throws Exception {
    OrchestrationState s = overTheWire(ProtoInstances.toProto(completed(), true));

    assertThat(s.getInstanceId()).isEqualTo("order-42");
    assertThat(s.getName()).isEqualTo("Checkout");
    assertThat(s.getOrchestrationStatus())
        .isEqualTo(OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
    assertThat(ProtoValues.instant(s.hasCreatedTimestamp(), s.getCreatedTimestamp()))
        .isEqualTo(CREATED);
    assertThat(ProtoValues.instant(s.hasLastUpdatedTimestamp(), s.getLastUpdatedTimestamp()))
        .isEqualTo(UPDATED);
    assertThat(ProtoValues.instant(s.hasScheduledStartTimestamp(), s.getScheduledStartTimestamp()))
        .isEqualTo(SCHEDULED);
    assertThat(s.getInput().getValue()).isEqualTo("{\"n\":1}");
    assertThat(s.getOutput().getValue()).isEqualTo("\"done\"");
    // An empty custom status is a value, not an absence.
    assertThat(s.hasCustomStatus()).isTrue();
    assertThat(s.getCustomStatus().getValue()).isEmpty();
    assertThat(s.hasFailureDetails()).isFalse();
    assertThat(s.hasVersion()).isFalse();
    assertThat(s.getExecutionId().getValue()).isEqualTo("exec-1");
    assertThat(s.getParentInstanceId().getValue()).isEqualTo("parent-1");
    assertThat(ProtoValues.instant(s.hasCompletedTimestamp(), s.getCompletedTimestamp()))
        .isEqualTo(COMPLETED);
  }

  @Test
  void withoutPayloads_leavesInputOutputAndCustomStatusUnset() throws Exception {
    OrchestrationState s = overTheWire(ProtoInstances.toProto(completed(), false));

    assertThat(s.hasInput()).isFalse();
    assertThat(s.hasOutput()).isFalse();
    assertThat(s.hasCustomStatus()).isFalse();
    assertThat(s.getInstanceId()).isEqualTo("order-42");
    assertThat(s.getCreatedTimestamp().getNanos()).isEqualTo(123);
  }

  @Test
  void nullFields_areUnset() throws Exception {
    InstanceRecord pending =
        InstanceRecord.builder("new-1", "Flow")
            .status(OrchestrationStatus.PENDING)
            .createdAt(CREATED)
            .lastUpdatedAt(CREATED)
            .build();

    OrchestrationState s = overTheWire(ProtoInstances.toProto(pending, true));

    assertThat(s.getOrchestrationStatus())
        .isEqualTo(OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_PENDING);
    assertThat(s.hasInput()).isFalse();
    assertThat(s.hasOutput()).isFalse();
    assertThat(s.hasCustomStatus()).isFalse();
    assertThat(s.hasScheduledStartTimestamp()).isFalse();
    assertThat(s.hasFailureDetails()).isFalse();
  }

  @Test
  void aFailedInstance_sendsItsFailure_evenWithoutPayloads() throws Exception {
    FailureDetails failure =
        new FailureDetails(
            "java.lang.IllegalStateException",
            "boom",
            "trace",
            new FailureDetails("java.io.IOException", "disk", null, null, false),
            false);
    InstanceRecord failed =
        completed().withOutcome(OrchestrationStatus.FAILED, null, failure, UPDATED);

    OrchestrationState s = overTheWire(ProtoInstances.toProto(failed, false));

    assertThat(s.getOrchestrationStatus())
        .isEqualTo(OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_FAILED);
    assertThat(ProtoFailures.fromProto(s.getFailureDetails())).isEqualTo(failure);
  }
}
