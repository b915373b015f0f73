package dev.fermata.spi;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.ParentInstance;
import java.time.Instant;
import java.util.Objects;

/**
 * The stored row of one orchestration instance. Payloads are JSON text or null.
 *
 * <p>Build a new row with {@link #builder} and change an existing one with {@link #toBuilder} or a
 * {@code with...} method, rather than with the canonical constructor: this record gains components
 * over time, and a call through the builder keeps compiling, and keeps the values it does not name,
 * when one is added. The canonical constructor checks nothing, so a store mapping a stored row
 * column by column may still use it.
 *
 * @param output the result once Completed, the reason once Terminated, else null
 * @param failure the failure once Failed, else null
 * @param completedAt when the instance reached a terminal status, else null
 * @param parent the orchestration that started this one as a sub-orchestration, or null
 * @param version the orchestration version the instance was started with, or null
 * @param traceParent the W3C {@code traceparent} of the span that started the instance (the trace
 *     its spans belong to), or null when it was started outside any trace
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
    ParentInstance parent,
    String version,
    String traceParent) {

  /**
   * A builder for a new row of instance {@code instanceId} running the orchestrator {@code name}.
   * {@link Builder#build} also requires a status, a creation time and a last-update time; every
   * other component is null unless set.
   */
  public static Builder builder(String instanceId, String name) {
    return new Builder(instanceId, name);
  }

  /** A builder holding every component of this row, to change some of them. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * This row with status {@code newStatus} as of {@code now}: {@code completedAt} becomes {@code
   * now} for a terminal status and null otherwise.
   */
  public InstanceRecord withStatus(OrchestrationStatus newStatus, Instant now) {
    return toBuilder()
        .status(newStatus)
        .lastUpdatedAt(now)
        .completedAt(newStatus.isTerminal() ? now : null)
        .build();
  }

  /**
   * This row with status {@code newStatus} as of {@code now} (as {@link #withStatus}) and with the
   * given output and failure, which replace the previous ones: what an execution ending (or being
   * resumed by a rewind, with both null) writes.
   */
  public InstanceRecord withOutcome(
      OrchestrationStatus newStatus, String output, FailureDetails failure, Instant now) {
    return withStatus(newStatus, now).toBuilder().output(output).failure(failure).build();
  }

  /** This row with custom status {@code json} (JSON text, or null for none). */
  public InstanceRecord withCustomStatus(String json) {
    return toBuilder().customStatus(json).build();
  }

  /**
   * Builds an {@link InstanceRecord} one named component at a time. Setters return the builder;
   * setting a component again replaces the earlier value.
   */
  public static final class Builder {
    private String instanceId;
    private String name;
    private String executionId;
    private OrchestrationStatus status;
    private String input;
    private String output;
    private FailureDetails failure;
    private String customStatus;
    private Instant createdAt;
    private Instant lastUpdatedAt;
    private Instant scheduledStartAt;
    private Instant completedAt;
    private ParentInstance parent;
    private String version;
    private String traceParent;

    private Builder(String instanceId, String name) {
      this.instanceId = instanceId;
      this.name = name;
    }

    private Builder(InstanceRecord r) {
      instanceId = r.instanceId;
      name = r.name;
      executionId = r.executionId;
      status = r.status;
      input = r.input;
      output = r.output;
      failure = r.failure;
      customStatus = r.customStatus;
      createdAt = r.createdAt;
      lastUpdatedAt = r.lastUpdatedAt;
      scheduledStartAt = r.scheduledStartAt;
      completedAt = r.completedAt;
      parent = r.parent;
      version = r.version;
      traceParent = r.traceParent;
    }

    /** Required. */
    public Builder instanceId(String instanceId) {
      this.instanceId = instanceId;
      return this;
    }

    /** The orchestrator (or entity) name. Required. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The current execution; continueAsNew starts a new one under the same instance id. */
    public Builder executionId(String executionId) {
      this.executionId = executionId;
      return this;
    }

    /** Required. */
    public Builder status(OrchestrationStatus status) {
      this.status = status;
      return this;
    }

    /** The input as JSON text, or null. */
    public Builder input(String input) {
      this.input = input;
      return this;
    }

    /** The result once Completed, the reason once Terminated, else null; JSON text. */
    public Builder output(String output) {
      this.output = output;
      return this;
    }

    /** The failure once Failed, else null. */
    public Builder failure(FailureDetails failure) {
      this.failure = failure;
      return this;
    }

    /** The custom status as JSON text, or null. */
    public Builder customStatus(String customStatus) {
      this.customStatus = customStatus;
      return this;
    }

    /** Required. */
    public Builder createdAt(Instant createdAt) {
      this.createdAt = createdAt;
      return this;
    }

    /** Required. */
    public Builder lastUpdatedAt(Instant lastUpdatedAt) {
      this.lastUpdatedAt = lastUpdatedAt;
      return this;
    }

    /** When the instance may first run; null means as soon as possible. */
    public Builder scheduledStartAt(Instant scheduledStartAt) {
      this.scheduledStartAt = scheduledStartAt;
      return this;
    }

    /** When the instance reached a terminal status, else null. */
    public Builder completedAt(Instant completedAt) {
      this.completedAt = completedAt;
      return this;
    }

    /** The orchestration that started this one as a sub-orchestration, or null. */
    public Builder parent(ParentInstance parent) {
      this.parent = parent;
      return this;
    }

    /** The orchestration version the instance was started with, or null. */
    public Builder version(String version) {
      this.version = version;
      return this;
    }

    /** The W3C {@code traceparent} of the span that started the instance, or null. */
    public Builder traceParent(String traceParent) {
      this.traceParent = traceParent;
      return this;
    }

    /**
     * The row.
     *
     * @throws NullPointerException naming the component, if the instance id, name, status, creation
     *     time or last-update time is missing. The canonical constructor accepts them missing, but
     *     a builder call can leave a component out by forgetting it, so build() checks what every
     *     row has: the stores' schemas require the id, status and both times, and the engine always
     *     names the orchestrator (or entity). A forgotten one would otherwise surface only when a
     *     store writes the row, far from the cause.
     */
    public InstanceRecord build() {
      Objects.requireNonNull(instanceId, "instanceId");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(createdAt, "createdAt");
      Objects.requireNonNull(lastUpdatedAt, "lastUpdatedAt");
      return new InstanceRecord(
          instanceId,
          name,
          executionId,
          status,
          input,
          output,
          failure,
          customStatus,
          createdAt,
          lastUpdatedAt,
          scheduledStartAt,
          completedAt,
          parent,
          version,
          traceParent);
    }
  }
}
