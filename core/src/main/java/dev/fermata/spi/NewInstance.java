package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.util.Objects;

/**
 * A request to create (or re-create) an instance. The store writes the instance row as {@code
 * record} (status Pending) and enqueues {@code record}'s start message, visible at its scheduled
 * start time, atomically.
 *
 * <p>If an instance with the same id exists and is running-like (Running, Pending, Suspended,
 * ContinuedAsNew), creation is refused; when {@code onConflict} is not null the store delivers it
 * instead, in the same transaction (a sub-orchestration call learns that its child id is taken). A
 * terminal instance with the same id is replaced: its history, inbox and tasks are deleted.
 */
public record NewInstance(
    InstanceRecord record, HistoryEvent.ExecutionStarted startEvent, NewMessage onConflict) {
  public NewInstance {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(startEvent, "startEvent");
  }
}
