package dev.fermata.spi;

import dev.fermata.entities.EntityId;
import java.util.List;
import java.util.Objects;

/**
 * A batch of operations for an entity the engine has no code for, to be run by a remote worker in
 * the order given, each on the state the one before left. The engine has already applied its
 * scheduling rules (locks, deferred operations): every operation here runs.
 *
 * @param entity the entity
 * @param state its state before the batch (JSON), or null if it has none
 * @param operations the operations, oldest first; never empty
 */
public record RemoteEntityBatch(EntityId entity, String state, List<Operation> operations) {
  public RemoteEntityBatch {
    Objects.requireNonNull(entity, "entity");
    operations = List.copyOf(operations);
    if (operations.isEmpty()) {
      throw new IllegalArgumentException("a batch has at least one operation");
    }
  }

  /**
   * One operation.
   *
   * @param name the operation's name
   * @param input its input (JSON), or null
   */
  public record Operation(String name, String input) {
    public Operation {
      Objects.requireNonNull(name, "name");
    }
  }
}
