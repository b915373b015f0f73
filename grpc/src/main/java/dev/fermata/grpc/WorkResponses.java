package dev.fermata.grpc;

import static dev.fermata.grpc.ProtoValues.instant;
import static dev.fermata.grpc.ProtoValues.string;

import dev.fermata.FailureDetails;
import dev.fermata.entities.EntityId;
import dev.fermata.grpc.protocol.OrchestratorService;
import dev.fermata.grpc.protocol.OrchestratorService.ActivityResponse;
import dev.fermata.grpc.protocol.OrchestratorService.CompleteOrchestrationAction;
import dev.fermata.grpc.protocol.OrchestratorService.EntityBatchResult;
import dev.fermata.grpc.protocol.OrchestratorService.OperationAction;
import dev.fermata.grpc.protocol.OrchestratorService.OperationResult;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestratorResponse;
import dev.fermata.grpc.protocol.OrchestratorService.SendEntityMessageAction;
import dev.fermata.grpc.protocol.OrchestratorService.SendSignalAction;
import dev.fermata.grpc.protocol.OrchestratorService.StartNewOrchestrationAction;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.EntityBatchOutcome;
import dev.fermata.spi.EpisodeOutcome;
import dev.fermata.spi.OrchestratorAction;
import dev.fermata.spi.RemoteEntityBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an SDK worker's answers as the values the engine records: an orchestrator's response as an
 * {@link EpisodeOutcome}, an activity's as its result event, an entity batch's as an {@link
 * EntityBatchOutcome}.
 */
final class WorkResponses {
  private WorkResponses() {}

  /**
   * An orchestrator's answer as the engine records it. An action this sidecar cannot carry out
   * fails the orchestration with a message that names it, rather than being skipped.
   */
  static EpisodeOutcome outcome(OrchestratorResponse response) {
    List<OrchestratorAction> actions = new ArrayList<>();
    EpisodeOutcome.Ending ending = null;
    for (OrchestratorService.OrchestratorAction a : response.getActionsList()) {
      int id = a.getId();
      switch (a.getOrchestratorActionTypeCase()) {
        case SCHEDULETASK -> {
          var t = a.getScheduleTask();
          actions.add(
              new OrchestratorAction.ScheduleActivity(
                  id, t.getName(), string(t.hasInput(), t.getInput())));
        }
        case CREATETIMER -> {
          var t = a.getCreateTimer();
          actions.add(new OrchestratorAction.CreateTimer(id, instant(true, t.getFireAt())));
        }
        case CREATESUBORCHESTRATION -> {
          var s = a.getCreateSubOrchestration();
          actions.add(
              new OrchestratorAction.StartSubOrchestration(
                  id, s.getName(), s.getInstanceId(), string(s.hasInput(), s.getInput())));
        }
        case SENDEVENT -> {
          var e = a.getSendEvent();
          actions.add(
              new OrchestratorAction.SendEvent(
                  id,
                  e.getInstance().getInstanceId(),
                  e.getName(),
                  string(e.hasData(), e.getData())));
        }
        case SENDENTITYMESSAGE -> {
          try {
            actions.add(entityAction(id, a.getSendEntityMessage()));
          } catch (IllegalArgumentException e) {
            ending = refused("entity message (id " + id + ")", e.getMessage());
          }
        }
        case COMPLETEORCHESTRATION -> ending = ending(a.getCompleteOrchestration());
        default ->
            ending =
                unsupported("action " + a.getOrchestratorActionTypeCase() + " (id " + id + ")");
      }
    }
    // The SDK sends its custom status with every answer; an empty one means none.
    boolean customStatusSet = response.hasCustomStatus();
    String customStatus =
        customStatusSet && !response.getCustomStatus().getValue().isEmpty()
            ? response.getCustomStatus().getValue()
            : null;
    return new EpisodeOutcome(
        actions,
        ending,
        customStatus,
        customStatusSet,
        true, // the engine sends only episodes of started executions (see RemoteEpisode)
        false, // suspension and held locks: the engine derives them (RemoteWorkers#runEpisode)
        List.of());
  }

  private static EpisodeOutcome.Ending ending(CompleteOrchestrationAction c) {
    String result = string(c.hasResult(), c.getResult());
    return switch (c.getOrchestrationStatus()) {
      case ORCHESTRATION_STATUS_COMPLETED -> new EpisodeOutcome.Completed(result);
      case ORCHESTRATION_STATUS_FAILED ->
          new EpisodeOutcome.Failed(
              c.hasFailureDetails()
                  ? ProtoFailures.fromProto(c.getFailureDetails())
                  : new FailureDetails(
                      "dev.fermata.OrchestrationFailed",
                      c.hasDetails() ? c.getDetails().getValue() : "the orchestration failed",
                      null,
                      null,
                      false));
      case ORCHESTRATION_STATUS_CONTINUED_AS_NEW -> {
        List<HistoryEvent.EventRaised> carried = new ArrayList<>();
        for (OrchestratorService.HistoryEvent e : c.getCarryoverEventsList()) {
          if (ProtoHistory.fromProto(e) instanceof HistoryEvent.EventRaised raised) {
            carried.add(raised);
          }
        }
        yield new EpisodeOutcome.ContinuedAsNew(result, carried);
      }
      default -> unsupported("completion status " + c.getOrchestrationStatus());
    };
  }

  /**
   * An entity call, signal, lock or release, with the SDK's own id for it. A lock set is put in
   * Fermata's order, the one every orchestration locks in, so that SDK and engine orchestrations
   * cannot deadlock over the same entities; an SDK releases its locks one entity at a time.
   *
   * @throws IllegalArgumentException if an entity id is not of the form {@code @name@key}
   */
  private static OrchestratorAction entityAction(int id, SendEntityMessageAction m) {
    return switch (m.getEntityMessageTypeCase()) {
      case ENTITYOPERATIONCALLED -> {
        var c = m.getEntityOperationCalled();
        yield new OrchestratorAction.CallEntity(
            id,
            entity(c.getTargetInstanceId().getValue()),
            c.getOperation(),
            string(c.hasInput(), c.getInput()),
            c.getRequestId());
      }
      case ENTITYOPERATIONSIGNALED -> {
        var s = m.getEntityOperationSignaled();
        yield new OrchestratorAction.SignalEntity(
            id,
            entity(s.getTargetInstanceId().getValue()),
            s.getOperation(),
            string(s.hasInput(), s.getInput()),
            ProtoValues.given(s.hasScheduledTime(), s.getScheduledTime()),
            s.getRequestId());
      }
      case ENTITYLOCKREQUESTED -> {
        var l = m.getEntityLockRequested();
        List<String> lockSet =
            l.getLockSetList().stream()
                .map(EntityId::parse)
                .distinct()
                .sorted()
                .map(EntityId::toString)
                .toList();
        if (lockSet.isEmpty()) {
          throw new IllegalArgumentException("a lock request names no entity");
        }
        yield new OrchestratorAction.LockEntities(id, lockSet, l.getCriticalSectionId());
      }
      case ENTITYUNLOCKSENT ->
          new OrchestratorAction.UnlockEntities(
              id, List.of(entity(m.getEntityUnlockSent().getTargetInstanceId().getValue())));
      case ENTITYMESSAGETYPE_NOT_SET ->
          throw new IllegalArgumentException("the message is of no kind");
    };
  }

  /** An entity id as Fermata writes it (the name lowercased). */
  private static String entity(String id) {
    return EntityId.parse(id).toString();
  }

  private static EpisodeOutcome.Failed refused(String what, String why) {
    return failed(
        IllegalArgumentException.class,
        "The orchestration sent an " + what + " that Fermata cannot carry out: " + why);
  }

  private static EpisodeOutcome.Failed unsupported(String what) {
    return failed(
        UnsupportedOperationException.class,
        "The orchestration asked for " + what + ", which the Fermata sidecar does not support");
  }

  /** Fails the orchestration for good: running its code again would ask for the same. */
  private static EpisodeOutcome.Failed failed(Class<? extends Exception> type, String message) {
    return new EpisodeOutcome.Failed(new FailureDetails(type.getName(), message, null, null, true));
  }

  /** An activity's answer as the event its orchestration receives. */
  static HistoryEvent activityResult(ActivityResponse response, Instant now) {
    if (response.hasFailureDetails()) {
      return new HistoryEvent.TaskFailed(
          now, response.getTaskId(), ProtoFailures.fromProto(response.getFailureDetails()));
    }
    return new HistoryEvent.TaskCompleted(
        now, response.getTaskId(), string(response.hasResult(), response.getResult()));
  }

  /**
   * An entity batch's answer. A batch the SDK could not run at all (its failure details are set,
   * with no results) fails, and the engine runs it again from the stored state.
   *
   * @throws IllegalStateException for a failed batch, or an action that names no valid entity
   */
  static EntityBatchOutcome entityOutcome(EntityBatchResult result, RemoteEntityBatch batch) {
    if (result.hasFailureDetails()) {
      throw new IllegalStateException(
          "The worker could not run the batch of entity "
              + batch.entity()
              + ": "
              + ProtoFailures.fromProto(result.getFailureDetails()).summary());
    }
    List<EntityBatchOutcome.OperationResult> results = new ArrayList<>();
    for (OperationResult r : result.getResultsList()) {
      results.add(
          r.hasFailure()
              ? EntityBatchOutcome.OperationResult.failed(
                  ProtoFailures.fromProto(r.getFailure().getFailureDetails()))
              : EntityBatchOutcome.OperationResult.success(
                  string(r.getSuccess().hasResult(), r.getSuccess().getResult())));
    }
    List<EntityBatchOutcome.EntityAction> actions = new ArrayList<>();
    for (OperationAction a : result.getActionsList()) {
      switch (a.getOperationActionTypeCase()) {
        case SENDSIGNAL -> {
          SendSignalAction s = a.getSendSignal();
          actions.add(
              new EntityBatchOutcome.SignalEntity(
                  EntityId.parse(s.getInstanceId()),
                  s.getName(),
                  string(s.hasInput(), s.getInput()),
                  ProtoValues.given(s.hasScheduledTime(), s.getScheduledTime())));
        }
        case STARTNEWORCHESTRATION -> {
          StartNewOrchestrationAction s = a.getStartNewOrchestration();
          actions.add(
              new EntityBatchOutcome.StartOrchestration(
                  s.getName(),
                  s.getInstanceId().isEmpty() ? null : s.getInstanceId(),
                  string(s.hasInput(), s.getInput()),
                  ProtoValues.given(s.hasScheduledTime(), s.getScheduledTime())));
        }
        case OPERATIONACTIONTYPE_NOT_SET ->
            throw new IllegalStateException(
                "The worker that ran entity " + batch.entity() + " sent an action of no kind");
      }
    }
    return new EntityBatchOutcome(
        results, string(result.hasEntityState(), result.getEntityState()), actions);
  }
}
