package dev.fermata.grpc;

import static dev.fermata.grpc.ProtoValues.instant;
import static dev.fermata.grpc.ProtoValues.setString;
import static dev.fermata.grpc.ProtoValues.setTimestamp;
import static dev.fermata.grpc.ProtoValues.string;

import com.google.protobuf.StringValue;
import dev.fermata.grpc.protocol.OrchestratorService;
import dev.fermata.grpc.protocol.OrchestratorService.EntityLockGrantedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.EntityLockRequestedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.EntityOperationCalledEvent;
import dev.fermata.grpc.protocol.OrchestratorService.EntityOperationCompletedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.EntityOperationFailedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.EntityOperationSignaledEvent;
import dev.fermata.grpc.protocol.OrchestratorService.EntityUnlockSentEvent;
import dev.fermata.grpc.protocol.OrchestratorService.EventRaisedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.EventSentEvent;
import dev.fermata.grpc.protocol.OrchestratorService.ExecutionCompletedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.ExecutionResumedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.ExecutionStartedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.ExecutionSuspendedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.ExecutionTerminatedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestrationInstance;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestratorStartedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.ParentInstanceInfo;
import dev.fermata.grpc.protocol.OrchestratorService.SubOrchestrationInstanceCompletedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.SubOrchestrationInstanceCreatedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.SubOrchestrationInstanceFailedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.TaskCompletedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.TaskFailedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.TaskScheduledEvent;
import dev.fermata.grpc.protocol.OrchestratorService.TimerCreatedEvent;
import dev.fermata.grpc.protocol.OrchestratorService.TimerFiredEvent;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Converts history events between Fermata's {@link HistoryEvent} records and the proto's {@code
 * HistoryEvent}: Fermata to proto for the histories an SDK worker replays, proto to Fermata for the
 * events an SDK hands back (the unconsumed EventRaised events a continue-as-new carries over), and
 * both ways for every mapped kind so that round trips can be checked.
 *
 * <p><b>Event ids.</b> The SDK matches each action it takes against the history event with the same
 * {@code eventId}, so the events Fermata writes for an action (TaskScheduled, TimerCreated,
 * SubOrchestrationInstanceCreated, EventSent) carry the action's id. Every other event comes from
 * outside the orchestration and gets -1, as durabletask-go sends; completions point back through
 * {@code taskScheduledId} or {@code timerId} instead.
 *
 * <p><b>What is not carried.</b> The {@code recurse} flags of ExecutionSuspended and
 * ExecutionResumed have no field and read back as false, and ExecutionTerminated's is not set: they
 * matter to the backend, which acts on them before the SDK sees the event. Versions, tags and trace
 * contexts have no Fermata field and are left unset.
 *
 * <p><b>Entity events.</b> An SDK keys its entity calls and critical sections by ids of its own,
 * and recognises the answers by them; Fermata keys them by event id. The ids come in with the SDK's
 * actions, are kept on the EntityOperationSent and EntityLockRequested events, and are put on the
 * answers from there ({@link #requestIds}).
 */
final class ProtoHistory {

  /** The eventId of events that were not created by one of the orchestration's own actions. */
  static final int NO_EVENT_ID = -1;

  private ProtoHistory() {}

  /**
   * A whole history for an SDK worker, in order, without the ExecutionRewound markers (see {@link
   * #toProto(HistoryEvent, String)}).
   *
   * @param instanceId the instance the history belongs to, which ExecutionStarted names
   * @throws IllegalArgumentException if the history holds an entity's message, or an entity answer
   *     whose request it does not hold
   */
  static List<OrchestratorService.HistoryEvent> toProto(
      List<? extends HistoryEvent> history, String instanceId) {
    return toProto(history, instanceId, requestIds(List.of(history)));
  }

  /**
   * Events for an SDK worker; entity answers among them get the request ids from {@code
   * requestIds}.
   */
  static List<OrchestratorService.HistoryEvent> toProto(
      List<? extends HistoryEvent> events, String instanceId, Map<Integer, String> requestIds) {
    List<OrchestratorService.HistoryEvent> out = new ArrayList<>(events.size());
    for (HistoryEvent event : events) {
      toProto(event, instanceId, requestIds).ifPresent(out::add);
    }
    return out;
  }

  /**
   * The ids an SDK gave its entity calls and critical sections, by event id: the answers, which
   * Fermata records by event id, must carry them back.
   */
  static Map<Integer, String> requestIds(List<? extends List<? extends HistoryEvent>> histories) {
    Map<Integer, String> ids = new HashMap<>();
    for (List<? extends HistoryEvent> events : histories) {
      for (HistoryEvent e : events) {
        switch (e) {
          case HistoryEvent.EntityOperationSent s when s.requestId() != null ->
              ids.put(s.eventId(), s.requestId());
          case HistoryEvent.EntityLockRequested l when l.requestId() != null ->
              ids.put(l.eventId(), l.requestId());
          default -> {}
        }
      }
    }
    return ids;
  }

  /**
   * One event as the proto has it.
   *
   * <p>ExecutionRewound gives nothing. Fermata records it as a marker after it has already
   * rewritten the history (the failed calls taken out, so that they run again); the SDK has no use
   * for the marker, and the Java SDK throws on an executionRewound event it does not expect.
   * Dropping it leaves exactly the rewritten history that the SDK should replay.
   *
   * @param instanceId the instance the event belongs to: Fermata's ExecutionStarted does not hold
   *     it but the proto's does; the other kinds ignore it
   * @throws IllegalArgumentException for an entity's message, or an entity answer (which needs its
   *     request's id: see {@link #toProto(List, String, Map)})
   */
  static Optional<OrchestratorService.HistoryEvent> toProto(HistoryEvent event, String instanceId) {
    return toProto(event, instanceId, Map.of());
  }

  private static Optional<OrchestratorService.HistoryEvent> toProto(
      HistoryEvent event, String instanceId, Map<Integer, String> requestIds) {
    OrchestratorService.HistoryEvent.Builder b =
        OrchestratorService.HistoryEvent.newBuilder().setEventId(NO_EVENT_ID);
    setTimestamp(event.timestamp(), b::setTimestamp);
    switch (event) {
      case HistoryEvent.OrchestratorStarted e ->
          b.setOrchestratorStarted(OrchestratorStartedEvent.getDefaultInstance());
      case HistoryEvent.ExecutionStarted e ->
          b.setExecutionStarted(executionStarted(e, instanceId));
      case HistoryEvent.ExecutionCompleted e -> {
        ExecutionCompletedEvent.Builder c =
            ExecutionCompletedEvent.newBuilder()
                .setOrchestrationStatus(ProtoStatus.toProto(e.status()));
        setString(e.result(), c::setResult);
        if (e.failure() != null) {
          c.setFailureDetails(ProtoFailures.toProto(e.failure()));
        }
        b.setExecutionCompleted(c);
      }
      case HistoryEvent.ExecutionTerminated e -> {
        ExecutionTerminatedEvent.Builder t = ExecutionTerminatedEvent.newBuilder();
        setString(e.reason(), t::setInput);
        b.setExecutionTerminated(t);
      }
      case HistoryEvent.ExecutionSuspended e -> {
        ExecutionSuspendedEvent.Builder s = ExecutionSuspendedEvent.newBuilder();
        setString(e.reason(), s::setInput);
        b.setExecutionSuspended(s);
      }
      case HistoryEvent.ExecutionResumed e -> {
        ExecutionResumedEvent.Builder r = ExecutionResumedEvent.newBuilder();
        setString(e.reason(), r::setInput);
        b.setExecutionResumed(r);
      }
      case HistoryEvent.ExecutionRewound e -> {
        return Optional.empty();
      }
      case HistoryEvent.PatchApplied e -> {
        return Optional.empty(); // only the engine's own code records patches
      }
      case HistoryEvent.TaskScheduled e -> {
        TaskScheduledEvent.Builder t = TaskScheduledEvent.newBuilder().setName(e.name());
        setString(e.input(), t::setInput);
        b.setEventId(e.eventId()).setTaskScheduled(t);
      }
      case HistoryEvent.TaskCompleted e -> {
        TaskCompletedEvent.Builder t =
            TaskCompletedEvent.newBuilder().setTaskScheduledId(e.taskScheduledId());
        setString(e.result(), t::setResult);
        b.setTaskCompleted(t);
      }
      case HistoryEvent.TaskFailed e -> {
        TaskFailedEvent.Builder t =
            TaskFailedEvent.newBuilder().setTaskScheduledId(e.taskScheduledId());
        if (e.failure() != null) {
          t.setFailureDetails(ProtoFailures.toProto(e.failure()));
        }
        b.setTaskFailed(t);
      }
      case HistoryEvent.SubOrchestrationInstanceCreated e -> {
        SubOrchestrationInstanceCreatedEvent.Builder s =
            SubOrchestrationInstanceCreatedEvent.newBuilder()
                .setInstanceId(e.instanceId())
                .setName(e.name());
        setString(e.input(), s::setInput);
        b.setEventId(e.eventId()).setSubOrchestrationInstanceCreated(s);
      }
      case HistoryEvent.SubOrchestrationInstanceCompleted e -> {
        SubOrchestrationInstanceCompletedEvent.Builder s =
            SubOrchestrationInstanceCompletedEvent.newBuilder()
                .setTaskScheduledId(e.taskScheduledId());
        setString(e.result(), s::setResult);
        b.setSubOrchestrationInstanceCompleted(s);
      }
      case HistoryEvent.SubOrchestrationInstanceFailed e -> {
        SubOrchestrationInstanceFailedEvent.Builder s =
            SubOrchestrationInstanceFailedEvent.newBuilder()
                .setTaskScheduledId(e.taskScheduledId());
        if (e.failure() != null) {
          s.setFailureDetails(ProtoFailures.toProto(e.failure()));
        }
        b.setSubOrchestrationInstanceFailed(s);
      }
      case HistoryEvent.TimerCreated e -> {
        TimerCreatedEvent.Builder t = TimerCreatedEvent.newBuilder();
        setTimestamp(e.fireAt(), t::setFireAt);
        b.setEventId(e.eventId()).setTimerCreated(t);
      }
      case HistoryEvent.TimerFired e -> {
        TimerFiredEvent.Builder t = TimerFiredEvent.newBuilder().setTimerId(e.timerId());
        setTimestamp(e.fireAt(), t::setFireAt);
        b.setTimerFired(t);
      }
      case HistoryEvent.EventRaised e -> {
        EventRaisedEvent.Builder r = EventRaisedEvent.newBuilder().setName(e.name());
        setString(e.input(), r::setInput);
        b.setEventRaised(r);
      }
      case HistoryEvent.EventSent e -> {
        EventSentEvent.Builder s =
            EventSentEvent.newBuilder().setInstanceId(e.instanceId()).setName(e.name());
        setString(e.input(), s::setInput);
        b.setEventId(e.eventId()).setEventSent(s);
      }
      case HistoryEvent.EntityOperationSent e -> {
        if (e.signal()) {
          EntityOperationSignaledEvent.Builder s =
              EntityOperationSignaledEvent.newBuilder()
                  .setRequestId(nullToEmpty(e.requestId()))
                  .setOperation(e.operation())
                  .setTargetInstanceId(StringValue.of(e.entityId()));
          setString(e.input(), s::setInput);
          setTimestamp(e.scheduledTime(), s::setScheduledTime);
          b.setEventId(e.eventId()).setEntityOperationSignaled(s);
        } else {
          EntityOperationCalledEvent.Builder c =
              EntityOperationCalledEvent.newBuilder()
                  .setRequestId(nullToEmpty(e.requestId()))
                  .setOperation(e.operation())
                  .setTargetInstanceId(StringValue.of(e.entityId()));
          setString(e.input(), c::setInput);
          setString(instanceId, c::setParentInstanceId);
          b.setEventId(e.eventId()).setEntityOperationCalled(c);
        }
      }
      case HistoryEvent.EntityLockRequested e -> {
        EntityLockRequestedEvent.Builder l =
            EntityLockRequestedEvent.newBuilder()
                .setCriticalSectionId(nullToEmpty(e.requestId()))
                .addAllLockSet(e.entityIds());
        setString(instanceId, l::setParentInstanceId);
        b.setEventId(e.eventId()).setEntityLockRequested(l);
      }
      case HistoryEvent.EntityUnlockSent e -> {
        EntityUnlockSentEvent.Builder u = EntityUnlockSentEvent.newBuilder();
        setString(instanceId, u::setParentInstanceId);
        if (e.entityIds().size() == 1) {
          u.setTargetInstanceId(StringValue.of(e.entityIds().get(0)));
        }
        b.setEventId(e.eventId()).setEntityUnlockSent(u);
      }
      case HistoryEvent.EntityOperationCompleted e -> {
        EntityOperationCompletedEvent.Builder c =
            EntityOperationCompletedEvent.newBuilder()
                .setRequestId(requestOf(e, e.taskScheduledId(), requestIds));
        setString(e.result(), c::setOutput);
        b.setEntityOperationCompleted(c);
      }
      case HistoryEvent.EntityOperationFailed e ->
          b.setEntityOperationFailed(
              EntityOperationFailedEvent.newBuilder()
                  .setRequestId(requestOf(e, e.taskScheduledId(), requestIds))
                  .setFailureDetails(ProtoFailures.toProto(e.failure())));
      case HistoryEvent.EntityLockGranted e ->
          b.setEntityLockGranted(
              EntityLockGrantedEvent.newBuilder()
                  .setCriticalSectionId(requestOf(e, e.taskScheduledId(), requestIds)));
      case HistoryEvent.EntityOperationRequested e -> throw notAnOrchestrationEvent(e);
      case HistoryEvent.EntityLockRequest e -> throw notAnOrchestrationEvent(e);
      case HistoryEvent.EntityUnlock e -> throw notAnOrchestrationEvent(e);
    }
    return Optional.of(b.build());
  }

  private static ExecutionStartedEvent executionStarted(
      HistoryEvent.ExecutionStarted e, String instanceId) {
    Objects.requireNonNull(instanceId, "instanceId");
    ExecutionStartedEvent.Builder s =
        ExecutionStartedEvent.newBuilder()
            .setName(e.name())
            .setOrchestrationInstance(instance(instanceId, e.executionId()));
    setString(e.input(), s::setInput);
    ParentInstance parent = e.parent();
    if (parent != null) {
      // Fermata does not keep the parent's orchestrator name, so ParentInstanceInfo.name stays
      // unset; the Java SDK only exposes it through getParentInstance(), as null.
      s.setParentInstance(
          ParentInstanceInfo.newBuilder()
              .setTaskScheduledId(parent.taskScheduledId())
              .setOrchestrationInstance(instance(parent.instanceId(), parent.executionId())));
    }
    setTimestamp(e.scheduledStartTime(), s::setScheduledStartTimestamp);
    setString(e.version(), s::setVersion);
    return s.build();
  }

  private static OrchestrationInstance instance(String instanceId, String executionId) {
    OrchestrationInstance.Builder i = OrchestrationInstance.newBuilder().setInstanceId(instanceId);
    setString(executionId, i::setExecutionId);
    return i.build();
  }

  /** The id the SDK gave the request an entity answer answers. */
  private static String requestOf(HistoryEvent answer, int eventId, Map<Integer, String> ids) {
    String id = ids.get(eventId);
    if (id == null) {
      throw new IllegalArgumentException(
          answer.eventType()
              + " answers entity request "
              + eventId
              + ", which holds no SDK request id: an SDK worker cannot be told which of its calls"
              + " it answers");
    }
    return id;
  }

  private static IllegalArgumentException notAnOrchestrationEvent(HistoryEvent e) {
    return new IllegalArgumentException(
        e.eventType() + " is an entity's message, never part of an orchestration's history");
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /**
   * An event from an SDK as Fermata's record. ExecutionStarted loses its instance id (Fermata keeps
   * it on the instance, not the event), and the eventId of events that do not carry one in Fermata
   * is ignored. An unset timestamp reads as null; the caller decides what time to record.
   *
   * @throws IllegalArgumentException for the kinds Fermata has no record for:
   *     OrchestratorCompleted, GenericEvent, HistoryState, ContinueAsNew, or no kind at all
   */
  static HistoryEvent fromProto(OrchestratorService.HistoryEvent event) {
    Instant timestamp = instant(event.hasTimestamp(), event.getTimestamp());
    return switch (event.getEventTypeCase()) {
      case ORCHESTRATORSTARTED -> new HistoryEvent.OrchestratorStarted(timestamp);
      case EXECUTIONSTARTED -> {
        ExecutionStartedEvent e = event.getExecutionStarted();
        OrchestrationInstance self = e.getOrchestrationInstance();
        yield new HistoryEvent.ExecutionStarted(
            timestamp,
            e.getName(),
            string(self.hasExecutionId(), self.getExecutionId()),
            string(e.hasInput(), e.getInput()),
            e.hasParentInstance() ? parent(e.getParentInstance()) : null,
            instant(e.hasScheduledStartTimestamp(), e.getScheduledStartTimestamp()),
            string(e.hasVersion(), e.getVersion()));
      }
      case EXECUTIONCOMPLETED -> {
        ExecutionCompletedEvent e = event.getExecutionCompleted();
        yield new HistoryEvent.ExecutionCompleted(
            timestamp,
            ProtoStatus.fromProto(e.getOrchestrationStatus()),
            string(e.hasResult(), e.getResult()),
            ProtoFailures.fromProto(e.hasFailureDetails(), e.getFailureDetails()));
      }
      case EXECUTIONTERMINATED -> {
        ExecutionTerminatedEvent e = event.getExecutionTerminated();
        yield new HistoryEvent.ExecutionTerminated(
            timestamp, string(e.hasInput(), e.getInput()), false);
      }
      case EXECUTIONSUSPENDED -> {
        ExecutionSuspendedEvent e = event.getExecutionSuspended();
        yield new HistoryEvent.ExecutionSuspended(timestamp, string(e.hasInput(), e.getInput()));
      }
      case EXECUTIONRESUMED -> {
        ExecutionResumedEvent e = event.getExecutionResumed();
        yield new HistoryEvent.ExecutionResumed(timestamp, string(e.hasInput(), e.getInput()));
      }
      case TASKSCHEDULED -> {
        TaskScheduledEvent e = event.getTaskScheduled();
        yield new HistoryEvent.TaskScheduled(
            timestamp, event.getEventId(), e.getName(), string(e.hasInput(), e.getInput()));
      }
      case TASKCOMPLETED -> {
        TaskCompletedEvent e = event.getTaskCompleted();
        yield new HistoryEvent.TaskCompleted(
            timestamp, e.getTaskScheduledId(), string(e.hasResult(), e.getResult()));
      }
      case TASKFAILED -> {
        TaskFailedEvent e = event.getTaskFailed();
        yield new HistoryEvent.TaskFailed(
            timestamp,
            e.getTaskScheduledId(),
            ProtoFailures.fromProto(e.hasFailureDetails(), e.getFailureDetails()));
      }
      case SUBORCHESTRATIONINSTANCECREATED -> {
        SubOrchestrationInstanceCreatedEvent e = event.getSubOrchestrationInstanceCreated();
        yield new HistoryEvent.SubOrchestrationInstanceCreated(
            timestamp,
            event.getEventId(),
            e.getName(),
            e.getInstanceId(),
            string(e.hasInput(), e.getInput()));
      }
      case SUBORCHESTRATIONINSTANCECOMPLETED -> {
        SubOrchestrationInstanceCompletedEvent e = event.getSubOrchestrationInstanceCompleted();
        yield new HistoryEvent.SubOrchestrationInstanceCompleted(
            timestamp, e.getTaskScheduledId(), string(e.hasResult(), e.getResult()));
      }
      case SUBORCHESTRATIONINSTANCEFAILED -> {
        SubOrchestrationInstanceFailedEvent e = event.getSubOrchestrationInstanceFailed();
        yield new HistoryEvent.SubOrchestrationInstanceFailed(
            timestamp,
            e.getTaskScheduledId(),
            ProtoFailures.fromProto(e.hasFailureDetails(), e.getFailureDetails()));
      }
      case TIMERCREATED -> {
        TimerCreatedEvent e = event.getTimerCreated();
        yield new HistoryEvent.TimerCreated(
            timestamp, event.getEventId(), instant(e.hasFireAt(), e.getFireAt()));
      }
      case TIMERFIRED -> {
        TimerFiredEvent e = event.getTimerFired();
        yield new HistoryEvent.TimerFired(
            timestamp, e.getTimerId(), instant(e.hasFireAt(), e.getFireAt()));
      }
      case EVENTRAISED -> {
        EventRaisedEvent e = event.getEventRaised();
        yield new HistoryEvent.EventRaised(
            timestamp, e.getName(), string(e.hasInput(), e.getInput()));
      }
      case EVENTSENT -> {
        EventSentEvent e = event.getEventSent();
        yield new HistoryEvent.EventSent(
            timestamp,
            event.getEventId(),
            e.getInstanceId(),
            e.getName(),
            string(e.hasInput(), e.getInput()));
      }
      case ORCHESTRATORCOMPLETED,
          GENERICEVENT,
          HISTORYSTATE,
          CONTINUEASNEW,
          EXECUTIONREWOUND,
          ENTITYOPERATIONSIGNALED,
          ENTITYOPERATIONCALLED,
          ENTITYOPERATIONCOMPLETED,
          ENTITYOPERATIONFAILED,
          ENTITYLOCKREQUESTED,
          ENTITYLOCKGRANTED,
          ENTITYUNLOCKSENT,
          EVENTTYPE_NOT_SET ->
          throw new IllegalArgumentException(
              "history event kind " + event.getEventTypeCase() + " has no Fermata equivalent");
    };
  }

  private static ParentInstance parent(ParentInstanceInfo p) {
    OrchestrationInstance i = p.getOrchestrationInstance();
    return new ParentInstance(
        i.getInstanceId(), string(i.hasExecutionId(), i.getExecutionId()), p.getTaskScheduledId());
  }
}
