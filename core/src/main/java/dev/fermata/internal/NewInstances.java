package dev.fermata.internal;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import java.time.Instant;

/** The row and start event of a new top-level orchestration, however it is started. */
public final class NewInstances {
  private NewInstances() {}

  /**
   * A Pending instance with a new execution id.
   *
   * @param id the instance id, already validated
   * @param input its input (JSON), or null
   * @param startAt when it starts, or null for now
   * @param version its orchestration version, or null
   * @param traceParent the W3C {@code traceparent} of the span that started it, or null
   */
  public static NewInstance pending(
      Instant now,
      String id,
      String name,
      String input,
      Instant startAt,
      String version,
      String traceParent) {
    String executionId = InstanceIds.generate();
    InstanceRecord record =
        InstanceRecord.builder(id, name)
            .executionId(executionId)
            .status(OrchestrationStatus.PENDING)
            .input(input)
            .createdAt(now)
            .lastUpdatedAt(now)
            .scheduledStartAt(startAt)
            .version(version)
            .traceParent(traceParent)
            .build();
    return new NewInstance(
        record,
        new HistoryEvent.ExecutionStarted(now, name, executionId, input, null, startAt, version),
        null);
  }
}
