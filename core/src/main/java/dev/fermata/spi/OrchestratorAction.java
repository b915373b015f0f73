package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.time.Instant;
import java.util.List;

/**
 * Something the orchestrator code asked for, numbered in the order it asked. New actions become
 * history events and outgoing work; replayed ones are checked against the history. The code that
 * asks may run in this engine or in a remote worker ({@link RemoteWorkers}); the numbers are the
 * event ids of the history events that record the actions either way. Entity actions from a remote
 * worker also carry the worker's own id for them ({@code requestId}), which the history keeps so
 * that the answers can name it.
 */
public sealed interface OrchestratorAction {
  int sequence();

  /** How a person would name it: {@code activity 'Charge'}. */
  String describe();

  /**
   * True if {@code scheduled} (a scheduling event with this sequence number) records this action.
   */
  boolean matches(HistoryEvent scheduled);

  record ScheduleActivity(int sequence, String name, String input) implements OrchestratorAction {
    @Override
    public String describe() {
      return "activity '" + name + "'";
    }

    @Override
    public boolean matches(HistoryEvent e) {
      return e instanceof HistoryEvent.TaskScheduled t && t.name().equals(name);
    }
  }

  record CreateTimer(int sequence, Instant fireAt) implements OrchestratorAction {
    @Override
    public String describe() {
      return "timer";
    }

    @Override
    public boolean matches(HistoryEvent e) {
      return e instanceof HistoryEvent.TimerCreated;
    }
  }

  record StartSubOrchestration(int sequence, String name, String instanceId, String input)
      implements OrchestratorAction {
    @Override
    public String describe() {
      return "sub-orchestration '" + name + "'";
    }

    @Override
    public boolean matches(HistoryEvent e) {
      return e instanceof HistoryEvent.SubOrchestrationInstanceCreated s && s.name().equals(name);
    }
  }

  record SendEvent(int sequence, String instanceId, String eventName, String input)
      implements OrchestratorAction {
    @Override
    public String describe() {
      return "event '" + eventName + "' sent to '" + instanceId + "'";
    }

    @Override
    public boolean matches(HistoryEvent e) {
      return e instanceof HistoryEvent.EventSent s
          && s.name().equals(eventName)
          && s.instanceId().equals(instanceId);
    }
  }

  /** A call to an entity operation, answered by its result or failure. */
  record CallEntity(int sequence, String entityId, String operation, String input, String requestId)
      implements OrchestratorAction {
    /** A call by the engine's own code, which needs no request id. */
    public CallEntity(int sequence, String entityId, String operation, String input) {
      this(sequence, entityId, operation, input, null);
    }

    @Override
    public String describe() {
      return "call of operation '" + operation + "' on entity '" + entityId + "'";
    }

    @Override
    public boolean matches(HistoryEvent e) {
      return e instanceof HistoryEvent.EntityOperationSent s
          && !s.signal()
          && s.entityId().equals(entityId)
          && s.operation().equals(operation);
    }
  }

  /** A one-way operation sent to an entity, delivered at {@code at} (null: now). */
  record SignalEntity(
      int sequence, String entityId, String operation, String input, Instant at, String requestId)
      implements OrchestratorAction {
    /** A signal from the engine's own code, which needs no request id. */
    public SignalEntity(int sequence, String entityId, String operation, String input, Instant at) {
      this(sequence, entityId, operation, input, at, null);
    }

    @Override
    public String describe() {
      return "signal of operation '" + operation + "' to entity '" + entityId + "'";
    }

    @Override
    public boolean matches(HistoryEvent e) {
      return e instanceof HistoryEvent.EntityOperationSent s
          && s.signal()
          && s.entityId().equals(entityId)
          && s.operation().equals(operation);
    }
  }

  /** A request to lock entities (ids sorted), answered when all are locked. */
  record LockEntities(int sequence, List<String> entityIds, String requestId)
      implements OrchestratorAction {
    /** A critical section of the engine's own code, which needs no request id. */
    public LockEntities(int sequence, List<String> entityIds) {
      this(sequence, entityIds, null);
    }

    @Override
    public String describe() {
      return "lock of entities " + entityIds;
    }

    @Override
    public boolean matches(HistoryEvent e) {
      return e instanceof HistoryEvent.EntityLockRequested l && l.entityIds().equals(entityIds);
    }
  }

  /** The release of a critical section's locks. */
  record UnlockEntities(int sequence, List<String> entityIds) implements OrchestratorAction {
    @Override
    public String describe() {
      return "release of entities " + entityIds;
    }

    @Override
    public boolean matches(HistoryEvent e) {
      return e instanceof HistoryEvent.EntityUnlockSent u && u.entityIds().equals(entityIds);
    }
  }

  /** Names a scheduling event the way {@link #describe()} names actions. */
  static String describeScheduled(HistoryEvent e) {
    return switch (e) {
      case HistoryEvent.TaskScheduled t -> "activity '" + t.name() + "'";
      case HistoryEvent.TimerCreated t -> "timer";
      case HistoryEvent.SubOrchestrationInstanceCreated s -> "sub-orchestration '" + s.name() + "'";
      case HistoryEvent.EventSent s -> "event '" + s.name() + "' sent to '" + s.instanceId() + "'";
      case HistoryEvent.EntityOperationSent s ->
          (s.signal() ? "signal of operation '" : "call of operation '")
              + s.operation()
              + (s.signal() ? "' to entity '" : "' on entity '")
              + s.entityId()
              + "'";
      case HistoryEvent.EntityLockRequested l -> "lock of entities " + l.entityIds();
      case HistoryEvent.EntityUnlockSent u -> "release of entities " + u.entityIds();
      default -> e.eventType();
    };
  }
}
