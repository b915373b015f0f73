package dev.fermata.entities;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * What an entity operation works with: the operation, its input, the entity's state, and the
 * messages it may send. Signals and orchestration starts take effect only if the operation
 * succeeds, together with its state change.
 */
public interface EntityContext {
  EntityId entityId();

  /** The operation requested, as the sender spelled it. */
  String operationName();

  /** The operation's input converted to {@code type}; null if there is none. */
  <T> T getInput(Class<T> type);

  /** True if the entity has a state (it was set and not deleted). */
  boolean hasState();

  /**
   * The state converted to {@code type}; when there is none, {@code initial}'s value (which does
   * not become the state until set).
   */
  <T> T getState(Class<T> type, Supplier<T> initial);

  /** Replaces the state; null deletes it. */
  void setState(Object state);

  /** Deletes the state: the entity no longer exists for reads and listings. */
  void deleteState();

  /** Sends a one-way operation to an entity (possibly this one). */
  void signalEntity(EntityId entity, String operation, Object input);

  /** Sends a one-way operation to an entity, delivered at {@code at}. */
  void signalEntity(EntityId entity, String operation, Object input, Instant at);

  /**
   * Starts an orchestration.
   *
   * @param instanceId the new instance's id, or null for a generated one
   * @return the instance id
   */
  String scheduleNewOrchestration(String name, Object input, String instanceId);
}
