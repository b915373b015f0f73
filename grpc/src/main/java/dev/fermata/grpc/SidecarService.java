package dev.fermata.grpc;

import static dev.fermata.grpc.ProtoValues.given;
import static dev.fermata.grpc.ProtoValues.string;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Empty;
import com.google.protobuf.StringValue;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceAlreadyExistsException;
import dev.fermata.InstanceNotFoundException;
import dev.fermata.InstanceState;
import dev.fermata.InstanceStatusException;
import dev.fermata.NotRedrivableException;
import dev.fermata.PayloadException;
import dev.fermata.UnknownFunctionException;
import dev.fermata.WaitTimeoutException;
import dev.fermata.grpc.protocol.OrchestratorService;
import dev.fermata.grpc.protocol.OrchestratorService.AbandonActivityTaskRequest;
import dev.fermata.grpc.protocol.OrchestratorService.AbandonActivityTaskResponse;
import dev.fermata.grpc.protocol.OrchestratorService.AbandonEntityTaskRequest;
import dev.fermata.grpc.protocol.OrchestratorService.AbandonEntityTaskResponse;
import dev.fermata.grpc.protocol.OrchestratorService.AbandonOrchestrationTaskRequest;
import dev.fermata.grpc.protocol.OrchestratorService.AbandonOrchestrationTaskResponse;
import dev.fermata.grpc.protocol.OrchestratorService.ActivityResponse;
import dev.fermata.grpc.protocol.OrchestratorService.CleanEntityStorageRequest;
import dev.fermata.grpc.protocol.OrchestratorService.CleanEntityStorageResponse;
import dev.fermata.grpc.protocol.OrchestratorService.CompleteTaskResponse;
import dev.fermata.grpc.protocol.OrchestratorService.CreateInstanceRequest;
import dev.fermata.grpc.protocol.OrchestratorService.CreateInstanceResponse;
import dev.fermata.grpc.protocol.OrchestratorService.CreateTaskHubRequest;
import dev.fermata.grpc.protocol.OrchestratorService.CreateTaskHubResponse;
import dev.fermata.grpc.protocol.OrchestratorService.DeleteTaskHubRequest;
import dev.fermata.grpc.protocol.OrchestratorService.DeleteTaskHubResponse;
import dev.fermata.grpc.protocol.OrchestratorService.EntityBatchResult;
import dev.fermata.grpc.protocol.OrchestratorService.GetEntityRequest;
import dev.fermata.grpc.protocol.OrchestratorService.GetEntityResponse;
import dev.fermata.grpc.protocol.OrchestratorService.GetInstanceRequest;
import dev.fermata.grpc.protocol.OrchestratorService.GetInstanceResponse;
import dev.fermata.grpc.protocol.OrchestratorService.GetWorkItemsRequest;
import dev.fermata.grpc.protocol.OrchestratorService.HistoryChunk;
import dev.fermata.grpc.protocol.OrchestratorService.ListInstanceIdsRequest;
import dev.fermata.grpc.protocol.OrchestratorService.ListInstanceIdsResponse;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestratorResponse;
import dev.fermata.grpc.protocol.OrchestratorService.PurgeInstancesRequest;
import dev.fermata.grpc.protocol.OrchestratorService.PurgeInstancesResponse;
import dev.fermata.grpc.protocol.OrchestratorService.QueryEntitiesRequest;
import dev.fermata.grpc.protocol.OrchestratorService.QueryEntitiesResponse;
import dev.fermata.grpc.protocol.OrchestratorService.QueryInstancesRequest;
import dev.fermata.grpc.protocol.OrchestratorService.QueryInstancesResponse;
import dev.fermata.grpc.protocol.OrchestratorService.RaiseEventRequest;
import dev.fermata.grpc.protocol.OrchestratorService.RaiseEventResponse;
import dev.fermata.grpc.protocol.OrchestratorService.ResumeRequest;
import dev.fermata.grpc.protocol.OrchestratorService.ResumeResponse;
import dev.fermata.grpc.protocol.OrchestratorService.RewindInstanceRequest;
import dev.fermata.grpc.protocol.OrchestratorService.RewindInstanceResponse;
import dev.fermata.grpc.protocol.OrchestratorService.SignalEntityRequest;
import dev.fermata.grpc.protocol.OrchestratorService.SignalEntityResponse;
import dev.fermata.grpc.protocol.OrchestratorService.StreamInstanceHistoryRequest;
import dev.fermata.grpc.protocol.OrchestratorService.SuspendRequest;
import dev.fermata.grpc.protocol.OrchestratorService.SuspendResponse;
import dev.fermata.grpc.protocol.OrchestratorService.TerminateRequest;
import dev.fermata.grpc.protocol.OrchestratorService.TerminateResponse;
import dev.fermata.grpc.protocol.OrchestratorService.WorkItem;
import dev.fermata.grpc.protocol.TaskHubSidecarServiceGrpc;
import dev.fermata.spi.StoreUnavailableException;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code TaskHubSidecarService} on a Fermata engine: the client calls go to the engine's {@link
 * FermataClient}, the worker calls to {@link SidecarWorkItems}. Every engine error becomes the gRPC
 * status the SDKs expect for it (not found, already exists, failed precondition...), with the
 * engine's message.
 */
final class SidecarService extends TaskHubSidecarServiceGrpc.TaskHubSidecarServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(SidecarService.class);

  /** How long a wait with no deadline may last; the SDKs always set one. */
  private static final Duration LONGEST_WAIT = Duration.ofHours(1);

  /** History events per StreamInstanceHistory message: well under the SDKs' message size limit. */
  private static final int HISTORY_CHUNK = 200;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FermataClient client;
  private final SidecarWorkItems workItems;
  private final SidecarEntityCalls entities;
  private final SidecarQueryCalls queries;

  SidecarService(FermataClient client, SidecarWorkItems workItems) {
    this.client = client;
    this.workItems = workItems;
    this.entities = new SidecarEntityCalls(client, v -> parse(v.getValue(), "payload"));
    this.queries = new SidecarQueryCalls(client);
  }

  // ---- client calls ----

  @Override
  public void hello(Empty request, StreamObserver<Empty> out) {
    answer(out, () -> Empty.getDefaultInstance());
  }

  @Override
  public void startInstance(
      CreateInstanceRequest request, StreamObserver<CreateInstanceResponse> out) {
    answer(
        out,
        () -> {
          String id = request.getInstanceId().isEmpty() ? null : request.getInstanceId();
          StartOptions options =
              new StartOptions(
                  id,
                  given(request.hasScheduledStartTimestamp(), request.getScheduledStartTimestamp()),
                  request.hasVersion() && !request.getVersion().getValue().isEmpty()
                      ? request.getVersion().getValue()
                      : null);
          // The caller's trace, if it sent one, is what the instance's spans join.
          io.opentelemetry.context.Context trace =
              request.hasParentTraceContext()
                  ? ProtoTrace.context(request.getParentTraceContext())
                  : io.opentelemetry.context.Context.current();
          try (Scope ignored = trace.makeCurrent()) {
            String started =
                client.scheduleNew(
                    request.getName(), json(request.hasInput(), request.getInput()), options);
            return CreateInstanceResponse.newBuilder().setInstanceId(started).build();
          }
        });
  }

  @Override
  public void getInstance(GetInstanceRequest request, StreamObserver<GetInstanceResponse> out) {
    answer(
        out,
        () ->
            found(
                client.getInstance(request.getInstanceId(), request.getGetInputsAndOutputs()),
                request.getGetInputsAndOutputs()));
  }

  @Override
  public void waitForInstanceStart(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> out) {
    answer(
        out,
        () ->
            waited(
                () -> client.waitForStart(request.getInstanceId(), timeLeft()),
                request.getGetInputsAndOutputs()));
  }

  @Override
  public void waitForInstanceCompletion(
      GetInstanceRequest request, StreamObserver<GetInstanceResponse> out) {
    answer(
        out,
        () ->
            waited(
                () -> client.waitForCompletion(request.getInstanceId(), timeLeft()),
                request.getGetInputsAndOutputs()));
  }

  @Override
  public void raiseEvent(RaiseEventRequest request, StreamObserver<RaiseEventResponse> out) {
    answer(
        out,
        () -> {
          client.raiseEvent(
              request.getInstanceId(),
              request.getName(),
              json(request.hasInput(), request.getInput()));
          return RaiseEventResponse.getDefaultInstance();
        });
  }

  @Override
  public void terminateInstance(TerminateRequest request, StreamObserver<TerminateResponse> out) {
    answer(
        out,
        () -> {
          client.terminate(
              request.getInstanceId(), terminationReason(request), request.getRecursive());
          return TerminateResponse.getDefaultInstance();
        });
  }

  @Override
  public void suspendInstance(SuspendRequest request, StreamObserver<SuspendResponse> out) {
    answer(
        out,
        () -> {
          client.suspend(request.getInstanceId(), string(request.hasReason(), request.getReason()));
          return SuspendResponse.getDefaultInstance();
        });
  }

  @Override
  public void resumeInstance(ResumeRequest request, StreamObserver<ResumeResponse> out) {
    answer(
        out,
        () -> {
          client.resume(request.getInstanceId(), string(request.hasReason(), request.getReason()));
          return ResumeResponse.getDefaultInstance();
        });
  }

  @Override
  public void rewindInstance(
      RewindInstanceRequest request, StreamObserver<RewindInstanceResponse> out) {
    answer(
        out,
        () -> {
          client.rewind(request.getInstanceId(), string(request.hasReason(), request.getReason()));
          return RewindInstanceResponse.getDefaultInstance();
        });
  }

  @Override
  public void queryInstances(
      QueryInstancesRequest request, StreamObserver<QueryInstancesResponse> out) {
    answer(out, () -> queries.query(request));
  }

  @Override
  public void listInstanceIds(
      ListInstanceIdsRequest request, StreamObserver<ListInstanceIdsResponse> out) {
    answer(out, () -> queries.listIds(request));
  }

  /** An instance's history, in chunks of {@value #HISTORY_CHUNK} events. */
  @Override
  public void streamInstanceHistory(
      StreamInstanceHistoryRequest request, StreamObserver<HistoryChunk> out) {
    List<OrchestratorService.HistoryEvent> events;
    try {
      events =
          ProtoHistory.toProto(client.getHistory(request.getInstanceId()), request.getInstanceId());
    } catch (RuntimeException e) {
      out.onError(statusOf(e).asRuntimeException());
      return;
    }
    try {
      for (int i = 0; i < events.size(); i += HISTORY_CHUNK) {
        out.onNext(
            HistoryChunk.newBuilder()
                .addAllEvents(events.subList(i, Math.min(events.size(), i + HISTORY_CHUNK)))
                .build());
      }
      out.onCompleted();
    } catch (StatusRuntimeException cancelled) {
      // The caller went away; there is nobody to tell.
    }
  }

  @Override
  public void purgeInstances(
      PurgeInstancesRequest request, StreamObserver<PurgeInstancesResponse> out) {
    answer(out, () -> queries.purge(request));
  }

  /** The engine's store is the task hub, created when the engine opened it. */
  @Override
  public void createTaskHub(
      CreateTaskHubRequest request, StreamObserver<CreateTaskHubResponse> out) {
    answer(out, () -> CreateTaskHubResponse.getDefaultInstance());
  }

  /** Deleting the store would delete every instance: purge them instead, by a filter. */
  @Override
  public void deleteTaskHub(
      DeleteTaskHubRequest request, StreamObserver<DeleteTaskHubResponse> out) {
    out.onError(
        Status.UNIMPLEMENTED
            .withDescription(
                "Fermata does not delete its store over gRPC; purge the instances instead")
            .asRuntimeException());
  }

  // ---- entity client calls ----

  @Override
  public void signalEntity(SignalEntityRequest request, StreamObserver<SignalEntityResponse> out) {
    answer(
        out,
        () -> {
          entities.signal(request);
          return SignalEntityResponse.getDefaultInstance();
        });
  }

  @Override
  public void getEntity(GetEntityRequest request, StreamObserver<GetEntityResponse> out) {
    answer(out, () -> entities.get(request));
  }

  @Override
  public void queryEntities(
      QueryEntitiesRequest request, StreamObserver<QueryEntitiesResponse> out) {
    answer(out, () -> entities.query(request));
  }

  @Override
  public void cleanEntityStorage(
      CleanEntityStorageRequest request, StreamObserver<CleanEntityStorageResponse> out) {
    answer(out, () -> entities.clean(request));
  }

  // ---- worker calls ----

  @Override
  public void getWorkItems(GetWorkItemsRequest request, StreamObserver<WorkItem> out) {
    workItems.connect(request, out);
  }

  @Override
  public void completeEntityTask(
      EntityBatchResult result, StreamObserver<CompleteTaskResponse> out) {
    if (!workItems.completeEntityBatch(result)) {
      log.info(
          "Dropped an entity batch answer that no work item waits for (its worker was taken for"
              + " gone, and the batch is handed out again)");
    }
    answer(out, CompleteTaskResponse::getDefaultInstance);
  }

  @Override
  public void abandonTaskOrchestratorWorkItem(
      AbandonOrchestrationTaskRequest request,
      StreamObserver<AbandonOrchestrationTaskResponse> out) {
    workItems.abandon(SidecarWorkItems.Kind.ORCHESTRATION, request.getCompletionToken());
    answer(out, AbandonOrchestrationTaskResponse::getDefaultInstance);
  }

  @Override
  public void abandonTaskActivityWorkItem(
      AbandonActivityTaskRequest request, StreamObserver<AbandonActivityTaskResponse> out) {
    workItems.abandon(SidecarWorkItems.Kind.ACTIVITY, request.getCompletionToken());
    answer(out, AbandonActivityTaskResponse::getDefaultInstance);
  }

  @Override
  public void abandonTaskEntityWorkItem(
      AbandonEntityTaskRequest request, StreamObserver<AbandonEntityTaskResponse> out) {
    workItems.abandon(SidecarWorkItems.Kind.ENTITY, request.getCompletionToken());
    answer(out, AbandonEntityTaskResponse::getDefaultInstance);
  }

  @Override
  public void completeOrchestratorTask(
      OrchestratorResponse response, StreamObserver<CompleteTaskResponse> out) {
    if (!workItems.completeEpisode(response)) {
      log.info(
          "Dropped an orchestrator answer for '{}' that no work item waits for (its worker was"
              + " taken for gone, and the episode is handed out again)",
          response.getInstanceId());
    }
    answer(out, CompleteTaskResponse::getDefaultInstance);
  }

  @Override
  public void completeActivityTask(
      ActivityResponse response, StreamObserver<CompleteTaskResponse> out) {
    if (!workItems.completeActivity(response)) {
      log.info(
          "Dropped the answer of task {} of '{}' that no work item waits for (its worker was"
              + " taken for gone, and the call is handed out again)",
          response.getTaskId(),
          response.getInstanceId());
    }
    answer(out, CompleteTaskResponse::getDefaultInstance);
  }

  // ---- helpers ----

  private static GetInstanceResponse found(Optional<InstanceState> state, boolean withPayloads) {
    return state
        .map(
            s ->
                GetInstanceResponse.newBuilder()
                    .setExists(true)
                    .setOrchestrationState(ProtoInstances.toProto(s.record(), withPayloads))
                    .build())
        .orElse(GetInstanceResponse.newBuilder().setExists(false).build());
  }

  /**
   * A wait's answer; an instance that does not exist is an answer too, as for GetInstance. A caller
   * that gives up (cancels the call, or closes its channel) ends the wait: the waiting thread is
   * interrupted, which the client's wait reports as a timeout nobody will read.
   */
  private static GetInstanceResponse waited(Supplier<InstanceState> wait, boolean withPayloads) {
    Thread waiter = Thread.currentThread();
    Context.CancellationListener stop = cancelled -> waiter.interrupt();
    Context.current().addListener(stop, Runnable::run);
    try {
      return found(Optional.of(wait.get()), withPayloads);
    } catch (InstanceNotFoundException e) {
      return found(Optional.empty(), withPayloads);
    } finally {
      Context.current().removeListener(stop);
      Thread.interrupted(); // a cancellation that came after the answer must not linger
    }
  }

  /** What is left of the caller's deadline. */
  private static Duration timeLeft() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      return LONGEST_WAIT;
    }
    return Duration.ofMillis(Math.max(0, deadline.timeRemaining(TimeUnit.MILLISECONDS)));
  }

  /**
   * The engine records a termination's reason as text and serializes it as the output; the SDKs
   * send the output as JSON. A JSON string is passed as its text, so that it comes back as the same
   * JSON; anything else is passed as its JSON text.
   */
  private static String terminationReason(TerminateRequest request) {
    String output = string(request.hasOutput(), request.getOutput());
    if (output == null) {
      return null;
    }
    JsonNode node = parse(output, "termination output");
    return node.isTextual() ? node.textValue() : output;
  }

  /** SDK payloads are JSON text; the client takes values, so they are passed as parsed trees. */
  private static JsonNode json(boolean present, StringValue value) {
    return present ? parse(value.getValue(), "payload") : null;
  }

  private static JsonNode parse(String text, String what) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription("The " + what + " is not JSON: " + e.getOriginalMessage())
          .asRuntimeException();
    }
  }

  /** Runs a call and sends its answer, or the gRPC status its error stands for. */
  private static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      if (Context.current().isCancelled()) {
        return; // the caller went away (and may have ended the call's wait)
      }
      out.onError(statusOf(e).asRuntimeException());
      return;
    }
    try {
      out.onNext(result);
      out.onCompleted();
    } catch (StatusRuntimeException cancelled) {
      // The caller went away before the answer; there is nobody to tell.
    }
  }

  static Status statusOf(RuntimeException e) {
    return switch (e) {
      case StatusRuntimeException s -> s.getStatus();
      case InstanceNotFoundException n -> Status.NOT_FOUND.withDescription(n.getMessage());
      case InstanceAlreadyExistsException a ->
          Status.ALREADY_EXISTS.withDescription(a.getMessage());
      case InstanceStatusException s -> Status.FAILED_PRECONDITION.withDescription(s.getMessage());
      case NotRedrivableException n -> Status.FAILED_PRECONDITION.withDescription(n.getMessage());
      case WaitTimeoutException w -> Status.DEADLINE_EXCEEDED.withDescription(w.getMessage());
      case PayloadException p -> Status.INVALID_ARGUMENT.withDescription(p.getMessage());
      case UnknownFunctionException u -> Status.INVALID_ARGUMENT.withDescription(u.getMessage());
      case IllegalArgumentException i -> Status.INVALID_ARGUMENT.withDescription(i.getMessage());
      case StoreUnavailableException s -> Status.UNAVAILABLE.withDescription(s.getMessage());
      default -> {
        log.error("A sidecar call failed", e);
        yield Status.INTERNAL.withDescription(e.toString());
      }
    };
  }
}
