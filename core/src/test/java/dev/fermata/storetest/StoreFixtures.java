package dev.fermata.storetest;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import java.time.Instant;

/** Small builders for the records the store contract tests feed a store. */
public final class StoreFixtures {
  public static final String NAME = "Flow";

  private StoreFixtures() {}

  /** A fresh Pending row, as the engine writes it when scheduling an instance. */
  public static InstanceRecord pendingRecord(String instanceId, String name, Instant now) {
    return InstanceRecord.builder(instanceId, name)
        .executionId("exec-" + instanceId)
        .status(OrchestrationStatus.PENDING)
        .input("\"input of " + instanceId + "\"")
        .createdAt(now)
        .lastUpdatedAt(now)
        .build();
  }

  public static NewInstance newInstance(InstanceRecord record) {
    return new NewInstance(record, startEvent(record), null);
  }

  public static NewInstance newInstance(InstanceRecord record, NewMessage onConflict) {
    return new NewInstance(record, startEvent(record), onConflict);
  }

  public static HistoryEvent.ExecutionStarted startEvent(InstanceRecord r) {
    return new HistoryEvent.ExecutionStarted(
        r.createdAt(), r.name(), r.executionId(), r.input(), r.parent(), r.scheduledStartAt());
  }

  public static HistoryEvent.EventRaised raised(String name, Instant now) {
    return new HistoryEvent.EventRaised(now, name, "\"payload of " + name + "\"");
  }

  public static ActivityTask task(InstanceRecord instance, int taskId, String name) {
    return new ActivityTask(
        instance.instanceId(), instance.executionId(), taskId, name, "\"input of " + name + "\"");
  }
}
