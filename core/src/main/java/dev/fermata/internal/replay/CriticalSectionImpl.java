package dev.fermata.internal.replay;

import dev.fermata.entities.CriticalSection;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.LockingRulesViolationException;
import dev.fermata.spi.OrchestratorAction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An orchestration's critical section, registered with its runner from the lock request until
 * {@link #close()}, and the rules that hold inside it.
 */
final class CriticalSectionImpl implements CriticalSection {
  private final OrchestrationRunner runner;
  private final List<EntityId> entities;
  private final Map<String, TaskImpl<?>> callsInFlight = new HashMap<>();
  private boolean closed;

  CriticalSectionImpl(OrchestrationRunner runner, List<EntityId> sortedEntities) {
    this.runner = runner;
    this.entities = List.copyOf(sortedEntities);
  }

  @Override
  public List<EntityId> lockedEntities() {
    return entities;
  }

  List<String> entityIdStrings() {
    return entities.stream().map(EntityId::toString).toList();
  }

  boolean holds(EntityId id) {
    return entities.contains(id);
  }

  /** Checks a call to {@code id} from inside the section and tracks it until answered. */
  void beforeCall(EntityId id) {
    if (!holds(id)) {
      throw violation("calls entity " + id + ", which it has not locked " + entities);
    }
    TaskImpl<?> pending = callsInFlight.get(id.toString());
    if (pending != null && !pending.isDone()) {
      throw violation("calls entity " + id + " while a call to it is still in flight");
    }
  }

  void callStarted(EntityId id, TaskImpl<?> call) {
    callsInFlight.put(id.toString(), call);
  }

  LockingRulesViolationException violation(String what) {
    return new LockingRulesViolationException(
        "Orchestration '"
            + runner.name()
            + "' (instance '"
            + runner.instanceId()
            + "') breaks the rules of critical sections: inside the section on "
            + entities
            + " it "
            + what);
  }

  @Override
  public void close() {
    runner.checkOnCodeThread();
    if (closed) {
      return;
    }
    closed = true;
    runner.setCriticalSection(null);
    runner.schedule(
        new OrchestratorAction.UnlockEntities(runner.nextSequence(), entityIdStrings()), null);
  }
}
