package dev.fermata.internal.worker;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import dev.fermata.internal.InstanceIds;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestratorAction;

/** Turns the code's new actions into history events and outgoing work. */
final class ActionRecorder {
  private ActionRecorder() {}

  /**
   * Records and dispatches {@code actions}.
   *
   * @param finalEpisode the execution ends with this episode: only fire-and-forget actions (sent
   *     events) still matter; calls, timers and children that nobody can await are dropped
   * @param recordInHistory false when the history is being reset (continueAsNew)
   */
  static void emit(
      Iterable<OrchestratorAction> actions,
      CheckpointBuilder out,
      InstanceRecord instance,
      boolean finalEpisode,
      boolean recordInHistory) {
    String id = instance.instanceId();
    String execution = instance.executionId();
    for (OrchestratorAction action : actions) {
      if (finalEpisode && !isFireAndForget(action)) {
        continue;
      }
      HistoryEvent scheduled =
          switch (action) {
            case OrchestratorAction.ScheduleActivity a -> {
              out.task(id, execution, a.sequence(), a.name(), a.input());
              yield new HistoryEvent.TaskScheduled(out.now, a.sequence(), a.name(), a.input());
            }
            case OrchestratorAction.CreateTimer t -> {
              out.send(
                  id,
                  execution,
                  t.fireAt(),
                  new HistoryEvent.TimerFired(t.fireAt(), t.sequence(), t.fireAt(), out.now));
              yield new HistoryEvent.TimerCreated(out.now, t.sequence(), t.fireAt());
            }
            case OrchestratorAction.StartSubOrchestration s -> {
              out.startInstance(child(out, instance, s));
              yield new HistoryEvent.SubOrchestrationInstanceCreated(
                  out.now, s.sequence(), s.name(), s.instanceId(), s.input());
            }
            case OrchestratorAction.SendEvent e -> {
              out.send(
                  e.instanceId(),
                  null,
                  null,
                  new HistoryEvent.EventRaised(out.now, e.eventName(), e.input()));
              yield new HistoryEvent.EventSent(
                  out.now, e.sequence(), e.instanceId(), e.eventName(), e.input());
            }
            case OrchestratorAction.CallEntity c -> {
              out.send(
                  c.entityId(),
                  null,
                  null,
                  new HistoryEvent.EntityOperationRequested(
                      out.now, c.operation(), c.input(), id, execution, c.sequence()));
              yield new HistoryEvent.EntityOperationSent(
                  out.now,
                  c.sequence(),
                  c.entityId(),
                  c.operation(),
                  c.input(),
                  false,
                  null,
                  c.requestId());
            }
            case OrchestratorAction.SignalEntity sig -> {
              out.send(
                  sig.entityId(),
                  null,
                  sig.at(),
                  new HistoryEvent.EntityOperationRequested(
                      out.now, sig.operation(), sig.input(), id, execution, -1));
              yield new HistoryEvent.EntityOperationSent(
                  out.now,
                  sig.sequence(),
                  sig.entityId(),
                  sig.operation(),
                  sig.input(),
                  true,
                  sig.at(),
                  sig.requestId());
            }
            case OrchestratorAction.LockEntities l -> {
              // Only the first entity is asked; each passes the request on in order.
              out.send(
                  l.entityIds().get(0),
                  null,
                  null,
                  new HistoryEvent.EntityLockRequest(
                      out.now, l.entityIds(), 0, id, execution, l.sequence()));
              yield new HistoryEvent.EntityLockRequested(
                  out.now, l.sequence(), l.entityIds(), l.requestId());
            }
            case OrchestratorAction.UnlockEntities u -> {
              releaseLocks(out, id, u.entityIds());
              yield new HistoryEvent.EntityUnlockSent(out.now, u.sequence(), u.entityIds());
            }
          };
      if (recordInHistory) {
        out.record(scheduled);
      }
    }
  }

  /** Messages that still matter once the execution has ended. */
  private static boolean isFireAndForget(OrchestratorAction action) {
    return action instanceof OrchestratorAction.SendEvent
        || action instanceof OrchestratorAction.SignalEntity
        || action instanceof OrchestratorAction.UnlockEntities;
  }

  /** Sends the release of {@code instanceId}'s locks to each of {@code entityIds}. */
  static void releaseLocks(CheckpointBuilder out, String instanceId, Iterable<String> entityIds) {
    for (String entity : entityIds) {
      out.send(entity, null, null, new HistoryEvent.EntityUnlock(out.now, instanceId));
    }
  }

  private static NewInstance child(
      CheckpointBuilder out, InstanceRecord parent, OrchestratorAction.StartSubOrchestration s) {
    ParentInstance link =
        new ParentInstance(parent.instanceId(), parent.executionId(), s.sequence());
    String executionId = InstanceIds.generate();
    InstanceRecord record =
        InstanceRecord.builder(s.instanceId(), s.name())
            .executionId(executionId)
            .status(OrchestrationStatus.PENDING)
            .input(s.input())
            .createdAt(out.now)
            .lastUpdatedAt(out.now)
            .parent(link)
            .version(parent.version()) // a child runs the version its parent runs
            .traceParent(parent.traceParent()) // and belongs to its trace
            .build();
    HistoryEvent.ExecutionStarted start =
        new HistoryEvent.ExecutionStarted(
            out.now, s.name(), executionId, s.input(), link, null, parent.version());
    FailureDetails taken =
        new FailureDetails(
            "dev.fermata.InstanceAlreadyExistsException",
            "Cannot start sub-orchestration '"
                + s.name()
                + "': an instance with id '"
                + s.instanceId()
                + "' is already running, pending or suspended",
            null,
            null,
            true);
    NewMessage onConflict =
        new NewMessage(
            parent.instanceId(),
            parent.executionId(),
            null,
            new HistoryEvent.SubOrchestrationInstanceFailed(out.now, s.sequence(), taken));
    return new NewInstance(record, start, onConflict);
  }
}
