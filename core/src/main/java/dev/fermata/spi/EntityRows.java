package dev.fermata.spi;

import dev.fermata.OrchestrationStatus;
import java.time.Instant;

/**
 * The store-side rules for durable entities. An entity is stored as an instance row whose id is
 * {@code @name@key}; stores need to know only two things about it:
 *
 * <ul>
 *   <li>A message addressed to an entity id whose row does not exist creates the row first ({@link
 *       #newRow}), in the same transaction, instead of being dropped: the first signal or call
 *       creates the entity. This holds for {@link DurableStore#sendMessage} (the new row's status,
 *       Pending, is then checked against the accepted statuses as usual) and for the messages of a
 *       {@link Checkpoint}.
 *   <li>{@link DurableStore#purgeInstance} refuses an entity row that still has inbox messages, so
 *       cleaning up an empty entity can never lose a message sent to it meanwhile.
 * </ul>
 *
 * <p>Entity rows are written by the engine with these meanings: {@code output} is the entity's
 * state as JSON (null when it has none), {@code customStatus} is the engine's scheduler state (lock
 * holder and operations deferred while locked, JSON) or null, {@code lastUpdatedAt} is the time of
 * the last operation, and the status is Running while the entity has state or a lock, Completed
 * once it is empty (so that cleanup may purge it). An entity has no history events. Instance
 * queries leave entity rows out unless they filter by a prefix starting with {@code @} (see {@link
 * InstanceFilter}).
 */
public final class EntityRows {
  /** The execution id every entity row carries (entities have no executions). */
  public static final String EXECUTION_ID = "entity";

  private EntityRows() {}

  /** True if the instance id names an entity. */
  public static boolean isEntityId(String instanceId) {
    return instanceId.startsWith("@");
  }

  /** The entity name in an entity instance id {@code @name@key}. */
  public static String nameOf(String entityInstanceId) {
    int end = entityInstanceId.indexOf('@', 1);
    if (!isEntityId(entityInstanceId) || end < 0) {
      throw new IllegalArgumentException(
          "'" + entityInstanceId + "' is not an entity instance id of the form @name@key");
    }
    return entityInstanceId.substring(1, end);
  }

  /** The row a store creates for an entity that receives its first message. */
  public static InstanceRecord newRow(String entityInstanceId, Instant now) {
    return InstanceRecord.builder(entityInstanceId, nameOf(entityInstanceId))
        .executionId(EXECUTION_ID)
        .status(OrchestrationStatus.PENDING)
        .createdAt(now)
        .lastUpdatedAt(now)
        .build();
  }
}
