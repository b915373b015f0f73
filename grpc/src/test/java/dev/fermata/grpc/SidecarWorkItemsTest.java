package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.StringValue;
import dev.fermata.entities.EntityId;
import dev.fermata.grpc.protocol.OrchestratorService.ActivityFilter;
import dev.fermata.grpc.protocol.OrchestratorService.ActivityRequest;
import dev.fermata.grpc.protocol.OrchestratorService.ActivityResponse;
import dev.fermata.grpc.protocol.OrchestratorService.EntityBatchResult;
import dev.fermata.grpc.protocol.OrchestratorService.EntityFilter;
import dev.fermata.grpc.protocol.OrchestratorService.GetWorkItemsRequest;
import dev.fermata.grpc.protocol.OrchestratorService.OperationAction;
import dev.fermata.grpc.protocol.OrchestratorService.OperationResult;
import dev.fermata.grpc.protocol.OrchestratorService.OperationResultFailure;
import dev.fermata.grpc.protocol.OrchestratorService.OperationResultSuccess;
import dev.fermata.grpc.protocol.OrchestratorService.SendSignalAction;
import dev.fermata.grpc.protocol.OrchestratorService.TaskFailureDetails;
import dev.fermata.grpc.protocol.OrchestratorService.WorkItem;
import dev.fermata.grpc.protocol.OrchestratorService.WorkItemFilters;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.EntityBatchOutcome;
import dev.fermata.spi.NoRemoteWorkerException;
import dev.fermata.spi.RemoteEntityBatch;
import dev.fermata.testsupport.Poll;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How work items are handed to worker streams and how answers find them. */
class SidecarWorkItemsTest {
  private final SidecarWorkItems work = new SidecarWorkItems(InstantSource.system());

  /** A worker's stream, as the server would hand it over: it only collects what it is sent. */
  private static class Stream implements StreamObserver<WorkItem> {
    final List<WorkItem> items = new CopyOnWriteArrayList<>();

    @Override
    public void onNext(WorkItem item) {
      items.add(item);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  /** A stream whose worker is gone: sending to it fails. */
  private static final class BrokenAfterFirst implements StreamObserver<WorkItem> {
    final List<WorkItem> items = new CopyOnWriteArrayList<>();

    @Override
    public void onNext(WorkItem item) {
      if (!items.isEmpty()) {
        throw new IllegalStateException("call closed");
      }
      items.add(item);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  @AfterEach
  void close() {
    work.close();
  }

  private static ActivityResponse done(String token, String result) {
    ActivityResponse.Builder r =
        ActivityResponse.newBuilder()
            .setInstanceId("i-1")
            .setTaskId(3)
            .setResult(StringValue.of(result));
    return r.setCompletionToken(token).build();
  }

  @Test
  void anIdleStream_getsHealthPings_onceItsWorkerAnsweredWithAToken() throws Exception {
    try (SidecarWorkItems pinging =
        new SidecarWorkItems(InstantSource.system(), Duration.ofMillis(100))) {
      Stream tokenless = new Stream();
      Stream withTokens = new Stream();
      pinging.connect(onlyActivity("Pay"), tokenless);
      pinging.connect(onlyActivity("Charge"), withTokens);
      CompletableFuture<HistoryEvent> first =
          pinging.runActivity(new ActivityTask("i-1", "e-1", 3, "Pay", null), 0);
      assertThat(pinging.completeActivity(done("", "\"ok\""))).isTrue(); // as 1.5.0 answers
      first.join();
      CompletableFuture<HistoryEvent> second =
          pinging.runActivity(new ActivityTask("i-1", "e-1", 3, "Charge", null), 0);
      String token = withTokens.items.getFirst().getCompletionToken();
      assertThat(pinging.completeActivity(done(token, "\"ok\""))).isTrue();
      second.join();

      Poll.until("two pings", Duration.ofSeconds(10), () -> withTokens.items.size() >= 3);

      assertThat(withTokens.items.subList(1, withTokens.items.size()))
          .allMatch(WorkItem::hasHealthPing);
      assertThat(tokenless.items).as("a worker that sends no tokens is not pinged").hasSize(1);
      assertThat(pinging.pingsSent()).isGreaterThanOrEqualTo(2);
      assertThat(pinging.itemsSentPerStream())
          .as("pings are not work: they count against nothing")
          .containsExactly(1, 1);
    }
  }

  private static GetWorkItemsRequest onlyActivity(String name) {
    return GetWorkItemsRequest.newBuilder()
        .setWorkItemFilters(
            WorkItemFilters.newBuilder().addActivities(ActivityFilter.newBuilder().setName(name)))
        .build();
  }

  @Test
  void aStreamThatCannotTakeAPing_isTakenForGone_andItsItemsGoBack() {
    try (SidecarWorkItems pinging =
        new SidecarWorkItems(InstantSource.system(), Duration.ofMillis(100))) {
      Stream vanishing =
          new Stream() {
            @Override
            public void onNext(WorkItem item) {
              if (item.hasHealthPing()) {
                throw new IllegalStateException("call closed");
              }
              super.onNext(item);
            }
          };
      pinging.connect(GetWorkItemsRequest.getDefaultInstance(), vanishing);
      CompletableFuture<HistoryEvent> answered =
          pinging.runActivity(new ActivityTask("i-1", "e-1", 3, "Charge", null), 0);
      String token = vanishing.items.getFirst().getCompletionToken();
      assertThat(pinging.completeActivity(done(token, "\"ok\""))).isTrue();
      answered.join();
      CompletableFuture<HistoryEvent> held =
          pinging.runActivity(new ActivityTask("i-1", "e-1", 3, "Charge", null), 1);

      Poll.until("the stream dropped", Duration.ofSeconds(10), () -> pinging.streamCount() == 0);

      assertThatThrownBy(held::join).hasCauseInstanceOf(SidecarWorkItems.WorkerGoneException.class);
    }
  }

  @Test
  void anActivityRequest_carriesTheCurrentTrace() {
    Stream stream = new Stream();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), stream);
    SpanContext engineSpan =
        SpanContext.create(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            TraceFlags.getSampled(),
            TraceState.getDefault());

    try (Scope ignored = Span.wrap(engineSpan).makeCurrent()) {
      work.runActivity(new ActivityTask("i-1", "e-1", 3, "Charge", null), 0);
    }
    work.runActivity(new ActivityTask("i-2", "e-1", 4, "Charge", null), 0);

    ActivityRequest traced = stream.items.get(0).getActivityRequest();
    assertThat(traced.getParentTraceContext().getTraceParent())
        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(traced.getParentTraceContext().getSpanID()).isEqualTo("00f067aa0ba902b7");
    assertThat(stream.items.get(1).getActivityRequest().hasParentTraceContext())
        .as("outside any trace")
        .isFalse();
  }

  @Test
  void anAnswerWithAnOldToken_findsNothing_evenForTheSameTask() {
    Stream stream = new Stream();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), stream);
    ActivityTask task = new ActivityTask("i-1", "e-1", 3, "Charge", null);

    CompletableFuture<HistoryEvent> first = work.runActivity(task, 0);
    String firstToken = stream.items.get(0).getCompletionToken();
    assertThat(work.abandon(SidecarWorkItems.Kind.ACTIVITY, firstToken)).isTrue();
    assertThatThrownBy(first::join).hasCauseInstanceOf(SidecarWorkItems.WorkerGoneException.class);

    CompletableFuture<HistoryEvent> second = work.runActivity(task, 1);
    String secondToken = stream.items.get(1).getCompletionToken();
    assertThat(secondToken).isNotEqualTo(firstToken).isNotEmpty();

    assertThat(work.completeActivity(done(firstToken, "\"stale\""))).isFalse();
    assertThat(second).isNotDone();
    assertThat(work.completeActivity(done(secondToken, "\"fresh\""))).isTrue();
    assertThat(second.join())
        .isInstanceOfSatisfying(
            HistoryEvent.TaskCompleted.class, c -> assertThat(c.result()).isEqualTo("\"fresh\""));
  }

  @Test
  void aWorkerThatGivesNoNumbers_holdsAtMostTheDefaultOfAllKindsTogether() {
    Stream stream = new Stream();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), stream);
    for (int i = 0; i < 10; i++) {
      work.runActivity(new ActivityTask("i-1", "e-1", i, "Charge", null), 0);
    }
    work.runEntityBatch(batchFor("c1"));

    assertThat(stream.items).hasSize(SidecarWorkItems.MAX_IN_FLIGHT_PER_STREAM);
    assertThat(work.waitingCount()).isEqualTo(11 - SidecarWorkItems.MAX_IN_FLIGHT_PER_STREAM);
  }

  @Test
  void aWorkerThatSaysHowManyActivitiesItRuns_getsThatMany_andTheOtherKindsShareTheDefault() {
    Stream stream = new Stream();
    work.connect(
        GetWorkItemsRequest.newBuilder().setMaxConcurrentActivityWorkItems(2).build(), stream);
    List<CompletableFuture<HistoryEvent>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(work.runActivity(new ActivityTask("i-1", "e-1", i, "Charge", null), 0));
    }
    int batches = SidecarWorkItems.MAX_IN_FLIGHT_PER_STREAM + 1;
    for (int i = 0; i < batches; i++) {
      work.runEntityBatch(batchFor("c" + i));
    }

    assertThat(stream.items.stream().filter(WorkItem::hasActivityRequest)).hasSize(2);
    assertThat(stream.items.stream().filter(WorkItem::hasEntityRequest))
        .hasSize(SidecarWorkItems.MAX_IN_FLIGHT_PER_STREAM);
    assertThat(work.waitingCount()).isEqualTo(2); // one activity, one batch

    String first =
        stream.items.stream()
            .filter(WorkItem::hasActivityRequest)
            .findFirst()
            .orElseThrow()
            .getCompletionToken();
    assertThat(work.completeActivity(done(first, "\"ok\""))).isTrue();
    assertThat(stream.items.stream().filter(WorkItem::hasActivityRequest)).hasSize(3);
    assertThat(stream.items.stream().filter(WorkItem::hasEntityRequest))
        .hasSize(SidecarWorkItems.MAX_IN_FLIGHT_PER_STREAM);
    assertThat(calls.get(0)).isCompleted();
  }

  @Test
  void aWorkerThatRunsManyActivitiesAtOnce_getsMoreThanTheDefault() {
    Stream stream = new Stream();
    work.connect(
        GetWorkItemsRequest.newBuilder().setMaxConcurrentActivityWorkItems(50).build(), stream);
    for (int i = 0; i < 60; i++) {
      work.runActivity(new ActivityTask("i-1", "e-1", i, "Charge", null), 0);
    }

    assertThat(stream.items).hasSize(50);
    assertThat(work.waitingCount()).isEqualTo(10);
  }

  private static RemoteEntityBatch batchFor(String key) {
    return new RemoteEntityBatch(
        new EntityId("Counter", key), null, List.of(new RemoteEntityBatch.Operation("add", "1")));
  }

  @Test
  void anAnswerWithoutToken_isMatchedByInstanceAndTask() {
    Stream stream = new Stream();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), stream);
    CompletableFuture<HistoryEvent> call =
        work.runActivity(new ActivityTask("i-1", "e-1", 3, "Charge", null), 0);

    assertThat(work.completeActivity(done("", "\"ok\""))).isTrue();
    assertThat(call.join()).isInstanceOf(HistoryEvent.TaskCompleted.class);
    assertThat(work.completeActivity(done("", "\"again\""))).isFalse();
  }

  @Test
  void aStreamWithFilters_getsOnlyWhatTheyName_andWorkItCannotTakeWaitsForAnother() {
    Stream entitiesOnly = new Stream();
    work.connect(
        GetWorkItemsRequest.newBuilder()
            .setWorkItemFilters(
                WorkItemFilters.newBuilder()
                    .addEntities(EntityFilter.newBuilder().setName("counter")))
            .build(),
        entitiesOnly);

    CompletableFuture<HistoryEvent> activity =
        work.runActivity(new ActivityTask("i-1", "e-1", 3, "Charge", null), 0);
    CompletableFuture<EntityBatchOutcome> batch =
        work.runEntityBatch(
            new RemoteEntityBatch(
                new EntityId("Counter", "c1"),
                "1",
                List.of(new RemoteEntityBatch.Operation("add", "2"))));

    assertThat(entitiesOnly.items)
        .singleElement()
        .satisfies(
            item -> {
              assertThat(item.getEntityRequest().getInstanceId()).isEqualTo("@counter@c1");
              assertThat(item.getEntityRequest().getEntityState().getValue()).isEqualTo("1");
              assertThat(item.getEntityRequest().getOperations(0).getInput().getValue())
                  .isEqualTo("2");
            });
    Stream any = new Stream();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), any);
    assertThat(any.items)
        .singleElement()
        .satisfies(i -> assertThat(i.hasActivityRequest()).isTrue());
    assertThat(activity).isNotDone();
    assertThat(batch).isNotDone();
  }

  @Test
  void anEntityBatchAnswer_becomesResultsStateAndActions() {
    Stream stream = new Stream();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), stream);
    CompletableFuture<EntityBatchOutcome> batch =
        work.runEntityBatch(
            new RemoteEntityBatch(
                new EntityId("counter", "c1"),
                null,
                List.of(
                    new RemoteEntityBatch.Operation("add", "2"),
                    new RemoteEntityBatch.Operation("refuse", null))));
    String token = stream.items.get(0).getCompletionToken();

    EntityBatchResult answer =
        EntityBatchResult.newBuilder()
            .setCompletionToken(token)
            .addResults(
                OperationResult.newBuilder()
                    .setSuccess(OperationResultSuccess.newBuilder().setResult(StringValue.of("2"))))
            .addResults(
                OperationResult.newBuilder()
                    .setFailure(
                        OperationResultFailure.newBuilder()
                            .setFailureDetails(
                                TaskFailureDetails.newBuilder()
                                    .setErrorType("Error")
                                    .setErrorMessage("refused"))))
            .setEntityState(StringValue.of("2"))
            .addActions(
                OperationAction.newBuilder()
                    .setId(0)
                    .setSendSignal(
                        SendSignalAction.newBuilder()
                            .setInstanceId("@audit@c1")
                            .setName("seen")
                            .setInput(StringValue.of("2"))))
            .build();
    assertThat(work.completeEntityBatch(answer)).isTrue();

    EntityBatchOutcome outcome = batch.join();
    assertThat(outcome.state()).isEqualTo("2");
    assertThat(outcome.results()).hasSize(2);
    assertThat(outcome.results().get(0).output()).isEqualTo("2");
    assertThat(outcome.results().get(1).failure().errorMessage()).isEqualTo("refused");
    assertThat(outcome.actions())
        .singleElement()
        .isEqualTo(
            new EntityBatchOutcome.SignalEntity(new EntityId("audit", "c1"), "seen", "2", null));
  }

  @Test
  void aBatchTheWorkerCouldNotRun_fails() {
    Stream stream = new Stream();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), stream);
    CompletableFuture<EntityBatchOutcome> batch =
        work.runEntityBatch(
            new RemoteEntityBatch(
                new EntityId("counter", "c1"),
                null,
                List.of(new RemoteEntityBatch.Operation("add", "2"))));

    work.completeEntityBatch(
        EntityBatchResult.newBuilder()
            .setCompletionToken(stream.items.get(0).getCompletionToken())
            .setFailureDetails(
                TaskFailureDetails.newBuilder().setErrorType("Error").setErrorMessage("no code"))
            .build());

    assertThatThrownBy(batch::join)
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("could not run the batch of entity @counter@c1")
        .hasMessageContaining("no code");
  }

  @Test
  void whenAStreamBreaks_theItemsItHeldFail_andLaterWorkGoesToTheNextWorker() {
    BrokenAfterFirst broken = new BrokenAfterFirst();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), broken);
    CompletableFuture<EntityBatchOutcome> batch =
        work.runEntityBatch(
            new RemoteEntityBatch(
                new EntityId("counter", "c1"),
                null,
                List.of(new RemoteEntityBatch.Operation("add", "1"))));
    assertThat(broken.items).hasSize(1);

    // Sending the next item fails: the stream is taken for gone, with what it held.
    CompletableFuture<HistoryEvent> lost =
        work.runActivity(new ActivityTask("i-1", "e-1", 3, "Charge", null), 0);

    assertThatThrownBy(batch::join).hasCauseInstanceOf(SidecarWorkItems.WorkerGoneException.class);
    assertThatThrownBy(lost::join).hasCauseInstanceOf(SidecarWorkItems.WorkerGoneException.class);
    assertThat(work.streamCount()).isZero();
    Stream next = new Stream();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), next);
    CompletableFuture<HistoryEvent> again =
        work.runActivity(new ActivityTask("i-1", "e-1", 3, "Charge", null), 1);
    assertThat(next.items)
        .singleElement()
        .satisfies(i -> assertThat(i.hasActivityRequest()).isTrue());
    assertThat(again).isNotDone();
  }

  @Test
  void withNoWorkerForTheGrace_waitingWorkIsGivenBack_andConnectionsAreHeard() {
    AtomicInteger changes = new AtomicInteger();
    work.onConnectionChange(changes::incrementAndGet);
    work.giveBackWhenNoWorker(Duration.ofMillis(100));
    BrokenAfterFirst broken = new BrokenAfterFirst();
    work.connect(GetWorkItemsRequest.getDefaultInstance(), broken);
    assertThat(work.connected()).isTrue();
    assertThat(changes).hasValue(1);

    CompletableFuture<HistoryEvent> sent =
        work.runActivity(new ActivityTask("i-1", "e-1", 1, "Charge", null), 0);
    CompletableFuture<HistoryEvent> lost =
        work.runActivity(new ActivityTask("i-1", "e-1", 2, "Charge", null), 0);
    // The second send failed: the worker is gone, and what it had fails as a lost call.
    assertThatThrownBy(lost::join).hasCauseInstanceOf(SidecarWorkItems.WorkerGoneException.class);
    assertThatThrownBy(sent::join).hasCauseInstanceOf(SidecarWorkItems.WorkerGoneException.class);
    assertThat(work.connected()).isFalse();
    assertThat(changes).hasValue(2);

    CompletableFuture<HistoryEvent> waiting =
        work.runActivity(new ActivityTask("i-1", "e-1", 3, "Charge", null), 0);
    assertThatThrownBy(waiting::join)
        .hasCauseInstanceOf(NoRemoteWorkerException.class)
        .hasMessageContaining("no Durable Task worker was connected");
    assertThat(work.waitingCount()).isZero();
  }
}
