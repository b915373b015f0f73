package dev.fermata;

import dev.fermata.history.ParentInstance;
import dev.fermata.internal.JsonConverter;
import dev.fermata.spi.InstanceRecord;
import java.time.Instant;

/** A snapshot of an orchestration instance, as a client sees it. */
public final class InstanceState {
  private final InstanceRecord record;
  private final JsonConverter json;

  /** For Fermata's own use: clients obtain instances from {@link FermataClient}. */
  public InstanceState(InstanceRecord record, JsonConverter json) {
    this.record = record;
    this.json = json;
  }

  public String getInstanceId() {
    return record.instanceId();
  }

  public String getName() {
    return record.name();
  }

  public String getExecutionId() {
    return record.executionId();
  }

  /** The orchestration version the instance was started with, or null if it has none. */
  public String getVersion() {
    return record.version();
  }

  public OrchestrationStatus getStatus() {
    return record.status();
  }

  public boolean isFinished() {
    return record.status().isTerminal();
  }

  public Instant getCreatedAt() {
    return record.createdAt();
  }

  public Instant getLastUpdatedAt() {
    return record.lastUpdatedAt();
  }

  /** When a scheduled start was requested, else null. */
  public Instant getScheduledStartAt() {
    return record.scheduledStartAt();
  }

  /** The parent, when this instance is a sub-orchestration; else null. */
  public ParentInstance getParent() {
    return record.parent();
  }

  /** The input as JSON text, or null. */
  public String getSerializedInput() {
    return record.input();
  }

  /** The result (Completed) or the reason (Terminated) as JSON text, else null. */
  public String getSerializedOutput() {
    return record.output();
  }

  /** The custom status as JSON text, or null. */
  public String getSerializedCustomStatus() {
    return record.customStatus();
  }

  /** Why the instance failed, when it is Failed; else null. */
  public FailureDetails getFailureDetails() {
    return record.failure();
  }

  public <T> T readInputAs(Class<T> type) {
    return json.deserialize(record.input(), type, "input of instance '" + getInstanceId() + "'");
  }

  public <T> T readOutputAs(Class<T> type) {
    return json.deserialize(record.output(), type, "output of instance '" + getInstanceId() + "'");
  }

  public <T> T readCustomStatusAs(Class<T> type) {
    return json.deserialize(
        record.customStatus(), type, "custom status of instance '" + getInstanceId() + "'");
  }

  /** The stored row behind this snapshot (for hosts that render it, like the HTTP API). */
  public InstanceRecord record() {
    return record;
  }

  @Override
  public String toString() {
    return "InstanceState[" + getInstanceId() + " " + getName() + " " + getStatus() + "]";
  }
}
