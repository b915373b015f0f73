package dev.fermata.internal.entities;

import dev.fermata.entities.EntityId;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.InstanceIds;
import dev.fermata.internal.NewInstances;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import java.time.Instant;

/**
 * The messages an entity operation sends, whether its code runs in the engine or in a remote
 * worker: both must produce exactly the same rows.
 */
final class EntityMessages {
  private EntityMessages() {}

  /** A one-way operation from entity {@code from} to {@code target}, delivered at {@code at}. */
  static NewMessage signal(
      EntityId from, Instant now, EntityId target, String operation, String input, Instant at) {
    return new NewMessage(
        target.toString(),
        null,
        at,
        new HistoryEvent.EntityOperationRequested(
            now, operation, input, from.toString(), null, -1));
  }

  /**
   * A new orchestration started by an entity operation.
   *
   * @param instanceId its id (validated here), or null for a generated one
   * @param startAt when it starts, or null for now
   */
  static NewInstance orchestration(
      Instant now, String name, String instanceId, String input, Instant startAt) {
    String id = instanceId == null ? InstanceIds.generate() : InstanceIds.validate(instanceId);
    return NewInstances.pending(now, id, name, input, startAt, null, null);
  }
}
