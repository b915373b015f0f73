package dev.fermata.spi;

import dev.fermata.FailureDetails;
import dev.fermata.entities.EntityId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a remote worker made of a {@link RemoteEntityBatch}: one result per operation, in order, the
 * state after the last one, and what the successful operations sent. The worker has already dropped
 * the state changes and actions of operations that failed.
 *
 * @param results one per operation of the batch, in the same order
 * @param state the entity's state after the batch (JSON), or null if it has none (deleted)
 * @param actions signals and orchestration starts, in the order the operations took them
 */
public record EntityBatchOutcome(
    List<OperationResult> results, String state, List<EntityAction> actions) {
  public EntityBatchOutcome {
    results = List.copyOf(results);
    actions = List.copyOf(actions);
  }

  /**
   * How one operation ended: with its result (JSON, may be null) or with a failure.
   *
   * @param output the result, when {@code failure} is null
   * @param failure why the operation failed, or null if it succeeded
   */
  public record OperationResult(String output, FailureDetails failure) {
    public static OperationResult success(String output) {
      return new OperationResult(output, null);
    }

    public static OperationResult failed(FailureDetails failure) {
      return new OperationResult(null, Objects.requireNonNull(failure, "failure"));
    }
  }

  /** Something an operation asked the engine to do once the batch is committed. */
  public sealed interface EntityAction {}

  /**
   * A one-way operation sent to another entity.
   *
   * @param at when it is delivered, or null for now
   */
  public record SignalEntity(EntityId target, String operation, String input, Instant at)
      implements EntityAction {
    public SignalEntity {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(operation, "operation");
    }
  }

  /**
   * A new orchestration.
   *
   * @param instanceId its id, or null for a generated one
   * @param at when it starts, or null for now
   */
  public record StartOrchestration(String name, String instanceId, String input, Instant at)
      implements EntityAction {
    public StartOrchestration {
      Objects.requireNonNull(name, "name");
    }
  }
}
