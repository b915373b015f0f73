package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.grpc.protocol.OrchestratorService;
import dev.fermata.grpc.protocol.OrchestratorService.HistoryEvent.EventTypeCase;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProtoHistoryTest {

  static final String INSTANCE = "order-42";
  // Nanosecond precision on purpose: a converter that went through milliseconds would lose it.
  static final Instant T = Instant.parse("2026-03-01T10:15:30.123456789Z");
  static final Instant FIRE_AT = Instant.parse("2026-03-04T00:00:00.000000001Z");
  static final FailureDetails FAILURE =
      new FailureDetails(
          "java.lang.IllegalStateException",
          "boom",
          "trace",
          new FailureDetails("java.io.IOException", null, null, null, false),
          true);

  /** One or more events of every kind the proto has, with null, empty and non-empty payloads. */
  static Stream<HistoryEvent> mappedEvents() {
    return Stream.of(
        new HistoryEvent.OrchestratorStarted(T),
        new HistoryEvent.ExecutionStarted(T, "Checkout", "exec-1", "{\"n\":1}", null, null),
        new HistoryEvent.ExecutionStarted(
            T, "Child", "exec-2", null, new ParentInstance("parent-1", "parent-exec", 7), FIRE_AT),
        new HistoryEvent.ExecutionStarted(T, "NoExecution", null, "", null, null),
        new HistoryEvent.ExecutionStarted(T, "Versioned", "exec-2", null, null, null, "2.0"),
        new HistoryEvent.ExecutionCompleted(T, OrchestrationStatus.COMPLETED, "\"done\"", null),
        new HistoryEvent.ExecutionCompleted(T, OrchestrationStatus.FAILED, null, FAILURE),
        new HistoryEvent.ExecutionCompleted(T, OrchestrationStatus.CONTINUED_AS_NEW, "", null),
        new HistoryEvent.ExecutionTerminated(T, "\"stop\"", false),
        new HistoryEvent.ExecutionTerminated(T, null, false),
        new HistoryEvent.ExecutionSuspended(T, "\"pause\""),
        new HistoryEvent.ExecutionSuspended(T, null),
        new HistoryEvent.ExecutionResumed(T, ""),
        new HistoryEvent.ExecutionResumed(T, null),
        new HistoryEvent.TaskScheduled(T, 0, "Charge", "{\"amount\":5}"),
        new HistoryEvent.TaskScheduled(T, 3, "NoInput", null),
        new HistoryEvent.TaskCompleted(T, 0, "true"),
        new HistoryEvent.TaskCompleted(T, 3, null),
        new HistoryEvent.TaskFailed(T, 0, FAILURE),
        new HistoryEvent.SubOrchestrationInstanceCreated(T, 1, "Child", "child-1", "[1,2]"),
        new HistoryEvent.SubOrchestrationInstanceCreated(T, 2, "Child", "child-2", null),
        new HistoryEvent.SubOrchestrationInstanceCompleted(T, 1, "{}"),
        new HistoryEvent.SubOrchestrationInstanceCompleted(T, 2, null),
        new HistoryEvent.SubOrchestrationInstanceFailed(T, 1, FAILURE),
        new HistoryEvent.TimerCreated(T, 4, FIRE_AT),
        new HistoryEvent.TimerFired(T, 4, FIRE_AT),
        new HistoryEvent.EventRaised(T, "Approved", "{\"by\":\"ann\"}"),
        new HistoryEvent.EventRaised(T, "Ping", null),
        new HistoryEvent.EventRaised(T, "Empty", ""),
        new HistoryEvent.EventSent(T, 5, "other-1", "Notify", "\"hi\""),
        new HistoryEvent.EventSent(T, 6, "other-2", "Notify", null));
  }

  static final List<String> LOCK_SET = List.of("@counter@a", "@counter@b");

  /** An SDK orchestration's entity events, with the ids the SDK gave its calls and section. */
  static List<HistoryEvent> entityHistory() {
    return List.of(
        new HistoryEvent.OrchestratorStarted(T),
        new HistoryEvent.EntityOperationSent(T, 1, "@counter@a", "add", "1", false, null, "r-1"),
        new HistoryEvent.EntityOperationSent(T, 2, "@counter@a", "add", "2", true, FIRE_AT, "r-2"),
        new HistoryEvent.EntityLockRequested(T, 3, LOCK_SET, "cs-3"),
        new HistoryEvent.EntityOperationCompleted(T, 1, "2"),
        new HistoryEvent.EntityLockGranted(T, 3),
        new HistoryEvent.EntityOperationSent(T, 4, "@counter@b", "boom", null, false, null, "r-4"),
        new HistoryEvent.EntityOperationFailed(T, 4, FAILURE),
        new HistoryEvent.EntityUnlockSent(T, 5, List.of("@counter@b")));
  }

  /** Messages to entities, which never belong to an orchestration's history. */
  static Stream<HistoryEvent> entityMessages() {
    return Stream.of(
        new HistoryEvent.EntityOperationRequested(T, "add", "1", "orch-1", "exec-1", 4),
        new HistoryEvent.EntityLockRequest(T, LOCK_SET, 0, "orch-1", "exec-1", 2),
        new HistoryEvent.EntityUnlock(T, "orch-1"));
  }

  static OrchestratorService.HistoryEvent toProto(HistoryEvent e) {
    return ProtoHistory.toProto(e, INSTANCE).orElseThrow();
  }

  /** Through the wire format too, so that "unset" and "" are told apart after parsing. */
  static OrchestratorService.HistoryEvent overTheWire(OrchestratorService.HistoryEvent e)
      throws InvalidProtocolBufferException {
    return OrchestratorService.HistoryEvent.parseFrom(e.toByteArray());
  }

  @ParameterizedTest
  @MethodSource("mappedEvents")
  void everyMappedKind_roundTripsExactly(HistoryEvent event) throws Exception {
    HistoryEvent back = ProtoHistory.fromProto(overTheWire(toProto(event)));

    assertThat(back).isEqualTo(event);
    assertThat(back.timestamp()).isEqualTo(T);
  }

  @Test
  void everyFermataKind_isMappedDroppedOrRejected() {
    Set<Class<?>> covered = new HashSet<>();
    mappedEvents().forEach(e -> covered.add(e.getClass()));
    entityHistory().forEach(e -> covered.add(e.getClass()));
    entityMessages().forEach(e -> covered.add(e.getClass()));
    covered.add(HistoryEvent.ExecutionRewound.class);
    covered.add(HistoryEvent.PatchApplied.class);

    assertThat(covered).containsExactlyInAnyOrder(HistoryEvent.class.getPermittedSubclasses());
  }

  @Test
  void theMappedKinds_areTheProtoKindsFermataHas() {
    Set<EventTypeCase> kinds = new HashSet<>();
    mappedEvents().forEach(e -> kinds.add(toProto(e).getEventTypeCase()));
    ProtoHistory.toProto(entityHistory(), INSTANCE).forEach(e -> kinds.add(e.getEventTypeCase()));

    Set<EventTypeCase> withoutFermataEquivalent =
        Set.of(
            EventTypeCase.ORCHESTRATORCOMPLETED,
            EventTypeCase.GENERICEVENT,
            EventTypeCase.HISTORYSTATE,
            EventTypeCase.CONTINUEASNEW,
            // Fermata rewinds by rewriting the history itself: the SDK never sees the marker.
            EventTypeCase.EXECUTIONREWOUND,
            EventTypeCase.EVENTTYPE_NOT_SET);
    Set<EventTypeCase> expected = new HashSet<>(Arrays.asList(EventTypeCase.values()));
    expected.removeAll(withoutFermataEquivalent);
    assertThat(kinds).isEqualTo(expected);
  }

  @Test
  void timestamps_keepSecondsAndNanos() {
    OrchestratorService.HistoryEvent p = toProto(new HistoryEvent.TimerCreated(T, 4, FIRE_AT));

    assertThat(p.getTimestamp().getSeconds()).isEqualTo(T.getEpochSecond());
    assertThat(p.getTimestamp().getNanos()).isEqualTo(123_456_789);
    assertThat(p.getTimerCreated().getFireAt().getSeconds()).isEqualTo(FIRE_AT.getEpochSecond());
    assertThat(p.getTimerCreated().getFireAt().getNanos()).isEqualTo(1);
  }

  @Test
  void timestampsBeforeTheEpoch_keepTheirNanos() {
    Instant before = Instant.parse("1969-12-31T23:59:59.900000001Z");

    OrchestratorService.HistoryEvent p = toProto(new HistoryEvent.OrchestratorStarted(before));

    assertThat(p.getTimestamp().getSeconds()).isEqualTo(-1);
    assertThat(p.getTimestamp().getNanos()).isEqualTo(900_000_001);
    assertThat(ProtoHistory.fromProto(p).timestamp()).isEqualTo(before);
  }

  @Test
  void schedulingEvents_carryTheActionId() {
    assertThat(toProto(new HistoryEvent.TaskScheduled(T, 11, "A", null)).getEventId())
        .isEqualTo(11);
    assertThat(toProto(new HistoryEvent.TimerCreated(T, 12, FIRE_AT)).getEventId()).isEqualTo(12);
    assertThat(
            toProto(new HistoryEvent.SubOrchestrationInstanceCreated(T, 13, "C", "c", null))
                .getEventId())
        .isEqualTo(13);
    assertThat(toProto(new HistoryEvent.EventSent(T, 14, "x", "E", null)).getEventId())
        .isEqualTo(14);
  }

  @Test
  void eventsFromOutside_haveEventIdMinusOne() {
    Set<Class<?>> scheduling =
        Set.of(
            HistoryEvent.TaskScheduled.class,
            HistoryEvent.TimerCreated.class,
            HistoryEvent.SubOrchestrationInstanceCreated.class,
            HistoryEvent.EventSent.class);
    List<HistoryEvent> others =
        mappedEvents().filter(e -> !scheduling.contains(e.getClass())).toList();

    assertThat(others).isNotEmpty();
    for (HistoryEvent e : others) {
      assertThat(toProto(e).getEventId()).as(e.eventType()).isEqualTo(-1);
    }
  }

  @Test
  void completions_pointBackToTheirAction() {
    assertThat(toProto(new HistoryEvent.TaskCompleted(T, 9, null)).getTaskCompleted())
        .extracting(OrchestratorService.TaskCompletedEvent::getTaskScheduledId)
        .isEqualTo(9);
    assertThat(toProto(new HistoryEvent.TaskFailed(T, 8, FAILURE)).getTaskFailed())
        .extracting(OrchestratorService.TaskFailedEvent::getTaskScheduledId)
        .isEqualTo(8);
    assertThat(
            toProto(new HistoryEvent.SubOrchestrationInstanceCompleted(T, 7, null))
                .getSubOrchestrationInstanceCompleted()
                .getTaskScheduledId())
        .isEqualTo(7);
    assertThat(
            toProto(new HistoryEvent.SubOrchestrationInstanceFailed(T, 6, FAILURE))
                .getSubOrchestrationInstanceFailed()
                .getTaskScheduledId())
        .isEqualTo(6);
    assertThat(toProto(new HistoryEvent.TimerFired(T, 5, FIRE_AT)).getTimerFired().getTimerId())
        .isEqualTo(5);
  }

  @Test
  void nullPayloads_leaveTheWrapperUnset_andEmptyOnesAreSent() {
    OrchestratorService.EventRaisedEvent absent =
        toProto(new HistoryEvent.EventRaised(T, "E", null)).getEventRaised();
    OrchestratorService.EventRaisedEvent empty =
        toProto(new HistoryEvent.EventRaised(T, "E", "")).getEventRaised();

    assertThat(absent.hasInput()).isFalse();
    assertThat(empty.hasInput()).isTrue();
    assertThat(empty.getInput().getValue()).isEmpty();
  }

  @Test
  void executionStarted_namesTheInstanceAndItsParent() {
    HistoryEvent.ExecutionStarted started =
        new HistoryEvent.ExecutionStarted(
            T, "Child", "exec-2", "{}", new ParentInstance("p-1", "p-exec", 7), FIRE_AT);

    OrchestratorService.HistoryEvent p = toProto(started);

    OrchestratorService.ExecutionStartedEvent s = p.getExecutionStarted();
    assertThat(p.getEventId()).isEqualTo(-1);
    assertThat(s.getName()).isEqualTo("Child");
    assertThat(s.getInput().getValue()).isEqualTo("{}");
    assertThat(s.getOrchestrationInstance().getInstanceId()).isEqualTo(INSTANCE);
    assertThat(s.getOrchestrationInstance().getExecutionId().getValue()).isEqualTo("exec-2");
    assertThat(s.getParentInstance().getTaskScheduledId()).isEqualTo(7);
    assertThat(s.getParentInstance().getOrchestrationInstance().getInstanceId()).isEqualTo("p-1");
    assertThat(s.getParentInstance().getOrchestrationInstance().getExecutionId().getValue())
        .isEqualTo("p-exec");
    // Fermata does not know the parent's orchestrator name.
    assertThat(s.getParentInstance().hasName()).isFalse();
    assertThat(s.getScheduledStartTimestamp().getNanos()).isEqualTo(1);
    assertThat(s.hasVersion()).isFalse();
  }

  @Test
  void executionStarted_withoutParentOrSchedule_leavesThemUnset() {
    OrchestratorService.ExecutionStartedEvent s =
        toProto(new HistoryEvent.ExecutionStarted(T, "Top", "exec-1", null, null, null))
            .getExecutionStarted();

    assertThat(s.hasParentInstance()).isFalse();
    assertThat(s.hasScheduledStartTimestamp()).isFalse();
    assertThat(s.hasInput()).isFalse();
  }

  @Test
  void executionStarted_needsTheInstanceId() {
    HistoryEvent.ExecutionStarted started =
        new HistoryEvent.ExecutionStarted(T, "Top", "exec-1", null, null, null);

    assertThatThrownBy(() -> ProtoHistory.toProto(started, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("instanceId");
  }

  @Test
  void executionCompleted_carriesStatusResultAndFailure() {
    OrchestratorService.ExecutionCompletedEvent c =
        toProto(new HistoryEvent.ExecutionCompleted(T, OrchestrationStatus.FAILED, null, FAILURE))
            .getExecutionCompleted();

    assertThat(c.getOrchestrationStatus())
        .isEqualTo(OrchestratorService.OrchestrationStatus.ORCHESTRATION_STATUS_FAILED);
    assertThat(c.hasResult()).isFalse();
    assertThat(c.getFailureDetails().getErrorType()).isEqualTo("java.lang.IllegalStateException");
    assertThat(c.getFailureDetails().getInnerFailure().getErrorType())
        .isEqualTo("java.io.IOException");
  }

  @Test
  void terminateSuspendAndResume_sendTheReasonAsInput() {
    assertThat(
            toProto(new HistoryEvent.ExecutionTerminated(T, "\"why\"", false))
                .getExecutionTerminated()
                .getInput()
                .getValue())
        .isEqualTo("\"why\"");
    assertThat(
            toProto(new HistoryEvent.ExecutionSuspended(T, "\"s\""))
                .getExecutionSuspended()
                .getInput()
                .getValue())
        .isEqualTo("\"s\"");
    assertThat(
            toProto(new HistoryEvent.ExecutionResumed(T, "\"r\""))
                .getExecutionResumed()
                .getInput()
                .getValue())
        .isEqualTo("\"r\"");
  }

  @Test
  void recurseFlags_haveNoFieldInThe150Proto_andReadBackFalse() throws Exception {
    HistoryEvent terminated = new HistoryEvent.ExecutionTerminated(T, "\"x\"", true);
    HistoryEvent suspended = new HistoryEvent.ExecutionSuspended(T, "\"x\"", true);
    HistoryEvent resumed = new HistoryEvent.ExecutionResumed(T, "\"x\"", true);

    assertThat(ProtoHistory.fromProto(overTheWire(toProto(terminated))))
        .isEqualTo(new HistoryEvent.ExecutionTerminated(T, "\"x\"", false));
    assertThat(ProtoHistory.fromProto(overTheWire(toProto(suspended))))
        .isEqualTo(new HistoryEvent.ExecutionSuspended(T, "\"x\"", false));
    assertThat(ProtoHistory.fromProto(overTheWire(toProto(resumed))))
        .isEqualTo(new HistoryEvent.ExecutionResumed(T, "\"x\"", false));
  }

  @Test
  void aPatchMarker_mapsToNothing() {
    assertThat(ProtoHistory.toProto(new HistoryEvent.PatchApplied(T, "p"), INSTANCE)).isEmpty();
  }

  @Test
  void executionRewound_mapsToNothing() {
    assertThat(ProtoHistory.toProto(new HistoryEvent.ExecutionRewound(T, "retry"), INSTANCE))
        .isEmpty();
  }

  @Test
  void aHistory_keepsItsOrder_andDropsRewindMarkers() {
    List<HistoryEvent> history =
        List.of(
            new HistoryEvent.OrchestratorStarted(T),
            new HistoryEvent.ExecutionStarted(T, "Flow", "e-1", null, null, null),
            new HistoryEvent.TaskScheduled(T, 0, "A", null),
            new HistoryEvent.OrchestratorStarted(FIRE_AT),
            new HistoryEvent.ExecutionRewound(FIRE_AT, "again"),
            new HistoryEvent.TaskCompleted(FIRE_AT, 0, "1"));

    List<OrchestratorService.HistoryEvent> proto = ProtoHistory.toProto(history, INSTANCE);

    assertThat(proto)
        .extracting(OrchestratorService.HistoryEvent::getEventTypeCase)
        .containsExactly(
            EventTypeCase.ORCHESTRATORSTARTED,
            EventTypeCase.EXECUTIONSTARTED,
            EventTypeCase.TASKSCHEDULED,
            EventTypeCase.ORCHESTRATORSTARTED,
            EventTypeCase.TASKCOMPLETED);
    List<HistoryEvent> back = new ArrayList<>();
    proto.forEach(p -> back.add(ProtoHistory.fromProto(p)));
    assertThat(back)
        .containsExactlyElementsOf(
            history.stream().filter(e -> !(e instanceof HistoryEvent.ExecutionRewound)).toList());
  }

  @Test
  void entityEvents_carryTheSdksOwnIds_andTheAnswersCarryThemBack() {
    List<OrchestratorService.HistoryEvent> p = ProtoHistory.toProto(entityHistory(), INSTANCE);

    OrchestratorService.HistoryEvent call = p.get(1);
    assertThat(call.getEventId()).isEqualTo(1);
    assertThat(call.getEntityOperationCalled().getRequestId()).isEqualTo("r-1");
    assertThat(call.getEntityOperationCalled().getOperation()).isEqualTo("add");
    assertThat(call.getEntityOperationCalled().getTargetInstanceId().getValue())
        .isEqualTo("@counter@a");
    assertThat(call.getEntityOperationCalled().getParentInstanceId().getValue())
        .isEqualTo(INSTANCE);
    OrchestratorService.HistoryEvent signal = p.get(2);
    assertThat(signal.getEventId()).isEqualTo(2);
    assertThat(signal.getEntityOperationSignaled().getInput().getValue()).isEqualTo("2");
    assertThat(ProtoValues.instant(true, signal.getEntityOperationSignaled().getScheduledTime()))
        .isEqualTo(FIRE_AT);
    assertThat(p.get(3).getEntityLockRequested().getCriticalSectionId()).isEqualTo("cs-3");
    assertThat(p.get(3).getEntityLockRequested().getLockSetList()).isEqualTo(LOCK_SET);
    assertThat(p.get(4).getEventId()).isEqualTo(ProtoHistory.NO_EVENT_ID);
    assertThat(p.get(4).getEntityOperationCompleted().getRequestId()).isEqualTo("r-1");
    assertThat(p.get(4).getEntityOperationCompleted().getOutput().getValue()).isEqualTo("2");
    assertThat(p.get(5).getEntityLockGranted().getCriticalSectionId()).isEqualTo("cs-3");
    assertThat(p.get(7).getEntityOperationFailed().getRequestId()).isEqualTo("r-4");
    assertThat(p.get(7).getEntityOperationFailed().getFailureDetails().getErrorMessage())
        .isEqualTo(FAILURE.errorMessage());
    assertThat(p.get(8).getEventId()).isEqualTo(5);
    assertThat(p.get(8).getEntityUnlockSent().getTargetInstanceId().getValue())
        .isEqualTo("@counter@b");
  }

  @ParameterizedTest
  @MethodSource("entityMessages")
  void entityMessages_areRejectedWithTheirKind(HistoryEvent event) {
    assertThatThrownBy(() -> ProtoHistory.toProto(event, INSTANCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(event.eventType() + " ")
        .hasMessageContaining("never part of an orchestration's history");
  }

  @Test
  void anAnswerWhoseRequestHoldsNoSdkId_isRejected_namingIt() {
    List<HistoryEvent> history =
        List.of(
            new HistoryEvent.OrchestratorStarted(T),
            new HistoryEvent.EntityLockRequested(T, 2, LOCK_SET),
            new HistoryEvent.EntityLockGranted(T, 2));

    assertThatThrownBy(() -> ProtoHistory.toProto(history, INSTANCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EntityLockGranted answers entity request 2");
  }

  @Test
  void aCarriedOverEvent_asAnSdkSendsIt_becomesEventRaised() {
    // The shape the SDK sends in CompleteOrchestrationAction.carryoverEvents.
    OrchestratorService.HistoryEvent carried =
        OrchestratorService.HistoryEvent.newBuilder()
            .setEventId(-1)
            .setTimestamp(ProtoValues.timestamp(T))
            .setEventRaised(
                OrchestratorService.EventRaisedEvent.newBuilder()
                    .setName("Item")
                    .setInput(com.google.protobuf.StringValue.of("3")))
            .build();

    assertThat(ProtoHistory.fromProto(carried))
        .isEqualTo(new HistoryEvent.EventRaised(T, "Item", "3"));
  }

  @Test
  void anUnsetTimestamp_readsAsNull() {
    OrchestratorService.HistoryEvent p =
        OrchestratorService.HistoryEvent.newBuilder()
            .setEventId(-1)
            .setEventRaised(OrchestratorService.EventRaisedEvent.newBuilder().setName("E"))
            .build();

    assertThat(ProtoHistory.fromProto(p)).isEqualTo(new HistoryEvent.EventRaised(null, "E", null));
  }

  @Test
  void protoKindsWithoutFermataEquivalent_areRejected() {
    List<OrchestratorService.HistoryEvent> unsupported =
        List.of(
            OrchestratorService.HistoryEvent.newBuilder()
                .setOrchestratorCompleted(
                    OrchestratorService.OrchestratorCompletedEvent.getDefaultInstance())
                .build(),
            OrchestratorService.HistoryEvent.newBuilder()
                .setGenericEvent(
                    OrchestratorService.GenericEvent.newBuilder().setData(StringValue.of("x")))
                .build(),
            OrchestratorService.HistoryEvent.newBuilder()
                .setHistoryState(OrchestratorService.HistoryStateEvent.getDefaultInstance())
                .build(),
            OrchestratorService.HistoryEvent.newBuilder()
                .setContinueAsNew(OrchestratorService.ContinueAsNewEvent.getDefaultInstance())
                .build(),
            OrchestratorService.HistoryEvent.getDefaultInstance());

    for (OrchestratorService.HistoryEvent p : unsupported) {
      assertThatThrownBy(() -> ProtoHistory.fromProto(p))
          .as(p.getEventTypeCase().name())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(p.getEventTypeCase().name());
    }
  }
}
