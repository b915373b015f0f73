package dev.fermata.spi;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.ParentInstance;
import java.time.Instant;

/**
 * The stored row of one orchestration instance. Payloads are JSON text or null.
 *
 * @param output the result once Completed, the reason once Terminated, else null
 * @param failure the failure once Failed, else null
 * @param completedAt when the instance reached a terminal status, else null
 * @param parent the orchestration that started this one as a sub-orchestration, or null
 */
public record InstanceRecord(
    String instanceId,
    String name,
    String executionId,
    OrchestrationStatus status,
    String input,
    String output,
    FailureDetails failure,
    String customStatus,
    Instant createdAt,
    Instant lastUpdatedAt,
    Instant scheduledStartAt,
    Instant completedAt,
    ParentInstance parent) {

  public InstanceRecord withStatus(OrchestrationStatus newStatus, Instant now) {
    return new InstanceRecord(
        instanceId,
        name,
        executionId,
        newStatus,
        input,
        output,
        failure,
        customStatus,
        createdAt,
        now,
        scheduledStartAt,
        newStatus.isTerminal() ? now : null,
        parent);
  }

  public InstanceRecord withCustomStatus(String json) {
    return new InstanceRecord(
        instanceId,
        name,
        executionId,
        status,
        input,
        output,
        failure,
        json,
        createdAt,
        lastUpdatedAt,
        scheduledStartAt,
        completedAt,
        parent);
  }
}
