package dev.fermata.grpc;

import dev.fermata.grpc.protocol.OrchestratorService.ActivityRequest;
import dev.fermata.grpc.protocol.OrchestratorService.ActivityResponse;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestrationInstance;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestratorResponse;
import dev.fermata.grpc.protocol.OrchestratorService.WorkItem;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.EpisodeOutcome;
import dev.fermata.spi.RemoteEpisode;
import dev.fermata.spi.RemoteWorkers;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the engine's remote episodes and activity calls to the SDK workers connected by {@code
 * GetWorkItems}, and matches their answers back.
 *
 * <p>Work waits here, in arrival order, until a worker stream has room: each stream gets at most
 * {@link #MAX_IN_FLIGHT_PER_STREAM} items at once, because the SDKs work through a stream's items
 * one by one and an item sent to a stream is lost with it. While it waits, the engine holds the
 * instance or task, so waiting work counts against the engine's concurrency limits. When a stream
 * ends, the items it had are failed; the engine then hands them out again, to any stream.
 *
 * <p>The protocol version served identifies an answer by instance id (and task id for an activity),
 * not by a token: the engine runs at most one episode of an instance at a time, and an answer
 * nobody waits for any more (its stream ended, the item went elsewhere) is dropped.
 */
public final class SidecarWorkItems implements RemoteWorkers, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SidecarWorkItems.class);

  /** Items a stream holds at once; a few keep an SDK busy without stranding much if it dies. */
  static final int MAX_IN_FLIGHT_PER_STREAM = 8;

  private final InstantSource clock;
  private final Object lock = new Object();
  private final ArrayDeque<Pending<?>> waiting = new ArrayDeque<>();
  private final List<WorkerStream> streams = new ArrayList<>();
  private final Map<String, Pending<EpisodeOutcome>> episodesOut = new HashMap<>();
  private final Map<String, ArrayDeque<Pending<HistoryEvent>>> activitiesOut = new HashMap<>();
  private boolean closed;

  public SidecarWorkItems(InstantSource clock) {
    this.clock = clock;
  }

  // ---- the engine's side ----

  @Override
  public CompletableFuture<EpisodeOutcome> runEpisode(RemoteEpisode episode) {
    String id = episode.instance().instanceId();
    WorkItem item = WorkItem.newBuilder().setOrchestratorRequest(WorkRequests.of(episode)).build();
    return submit(new Pending<>(id, item, episode));
  }

  @Override
  public CompletableFuture<HistoryEvent> runActivity(ActivityTask task, int deliveryCount) {
    OrchestrationInstance.Builder instance =
        OrchestrationInstance.newBuilder().setInstanceId(task.instanceId());
    ProtoValues.setString(task.executionId(), instance::setExecutionId);
    ActivityRequest.Builder request =
        ActivityRequest.newBuilder()
            .setName(task.name())
            .setTaskId(task.taskId())
            .setOrchestrationInstance(instance);
    ProtoValues.setString(task.input(), request::setInput);
    WorkItem item = WorkItem.newBuilder().setActivityRequest(request).build();
    return submit(new Pending<>(activityKey(task.instanceId(), task.taskId()), item, null));
  }

  private <T> CompletableFuture<T> submit(Pending<T> pending) {
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(new WorkerGoneException("the sidecar is closed"));
      }
      waiting.add(pending);
    }
    pump();
    return pending.result;
  }

  // ---- the workers' side ----

  /**
   * A worker opened {@code GetWorkItems}: work flows to it until it cancels or the server stops.
   */
  void connect(StreamObserver<WorkItem> observer) {
    WorkerStream stream = new WorkerStream(observer);
    if (observer instanceof ServerCallStreamObserver<WorkItem> call) {
      call.setOnCancelHandler(() -> disconnect(stream, "the worker closed its stream"));
    }
    synchronized (lock) {
      if (closed) {
        observer.onCompleted();
        return;
      }
      streams.add(stream);
    }
    log.info("A Durable Task worker connected ({} connected)", streamCount());
    pump();
  }

  /** An orchestrator's answer; false if nobody waits for it any more. */
  boolean completeEpisode(OrchestratorResponse response) {
    Pending<EpisodeOutcome> pending;
    synchronized (lock) {
      pending = episodesOut.remove(response.getInstanceId());
      if (pending != null) {
        pending.stream.inFlight--;
      }
    }
    if (pending == null) {
      return false;
    }
    pump();
    try {
      pending.result.complete(WorkResponses.outcome(response, pending.episode));
    } catch (RuntimeException e) {
      pending.result.completeExceptionally(e);
    }
    return true;
  }

  /** An activity's answer; false if nobody waits for it any more. */
  boolean completeActivity(ActivityResponse response) {
    String key = activityKey(response.getInstanceId(), response.getTaskId());
    Pending<HistoryEvent> pending;
    synchronized (lock) {
      ArrayDeque<Pending<HistoryEvent>> sameKey = activitiesOut.get(key);
      pending = sameKey == null ? null : sameKey.poll();
      if (sameKey != null && sameKey.isEmpty()) {
        activitiesOut.remove(key);
      }
      if (pending != null) {
        pending.stream.inFlight--;
      }
    }
    if (pending == null) {
      return false;
    }
    pump();
    pending.result.complete(WorkResponses.activityResult(response, clock.instant()));
    return true;
  }

  /** How many items each connected stream was sent (for tests and diagnostics). */
  List<Integer> itemsSentPerStream() {
    synchronized (lock) {
      return streams.stream().map(s -> s.sent).toList();
    }
  }

  int streamCount() {
    synchronized (lock) {
      return streams.size();
    }
  }

  /** Ends every stream and fails the work that waits or is out; nothing is taken after this. */
  @Override
  public void close() {
    List<Pending<?>> failed = new ArrayList<>();
    List<WorkerStream> ended;
    synchronized (lock) {
      closed = true;
      ended = List.copyOf(streams);
      streams.clear();
      failed.addAll(waiting);
      waiting.clear();
      failed.addAll(episodesOut.values());
      episodesOut.clear();
      activitiesOut.values().forEach(failed::addAll);
      activitiesOut.clear();
    }
    for (WorkerStream s : ended) {
      s.end();
    }
    WorkerGoneException gone = new WorkerGoneException("the sidecar is closing");
    failed.forEach(p -> p.result.completeExceptionally(gone));
  }

  // ---- dispatch ----

  /** Sends waiting work to the least busy streams with room, in arrival order. */
  private void pump() {
    List<Pending<?>> toSend = new ArrayList<>();
    synchronized (lock) {
      while (!waiting.isEmpty()) {
        WorkerStream stream =
            streams.stream()
                .filter(s -> s.inFlight < MAX_IN_FLIGHT_PER_STREAM)
                .min(Comparator.comparingInt(s -> s.inFlight))
                .orElse(null);
        if (stream == null) {
          break;
        }
        Pending<?> pending = waiting.poll();
        pending.stream = stream;
        stream.inFlight++;
        stream.sent++;
        register(pending);
        toSend.add(pending);
      }
    }
    for (Pending<?> pending : toSend) {
      if (!pending.stream.send(pending.item)) {
        disconnect(pending.stream, "sending to the worker failed");
      }
    }
  }

  /** Makes an item findable by its answer; before it is sent, so that no answer can beat it. */
  @SuppressWarnings("unchecked")
  private void register(Pending<?> pending) {
    if (pending.item.hasOrchestratorRequest()) {
      episodesOut.put(pending.key, (Pending<EpisodeOutcome>) pending);
    } else {
      activitiesOut
          .computeIfAbsent(pending.key, k -> new ArrayDeque<>())
          .add((Pending<HistoryEvent>) pending);
    }
  }

  /** A stream ended: the items it held fail, so that the engine hands them out again. */
  private void disconnect(WorkerStream stream, String why) {
    List<Pending<?>> lost = new ArrayList<>();
    synchronized (lock) {
      if (!streams.remove(stream)) {
        return;
      }
      episodesOut.values().removeIf(p -> p.stream == stream && lost.add(p));
      for (Iterator<ArrayDeque<Pending<HistoryEvent>>> it = activitiesOut.values().iterator();
          it.hasNext(); ) {
        ArrayDeque<Pending<HistoryEvent>> sameKey = it.next();
        sameKey.removeIf(p -> p.stream == stream && lost.add(p));
        if (sameKey.isEmpty()) {
          it.remove();
        }
      }
    }
    log.info(
        "A Durable Task worker disconnected ({}); {} item(s) it held will be handed out again",
        why,
        lost.size());
    stream.end();
    WorkerGoneException gone = new WorkerGoneException("the worker's stream ended: " + why);
    lost.forEach(p -> p.result.completeExceptionally(gone));
    pump();
  }

  private static String activityKey(String instanceId, int taskId) {
    return instanceId + "\n" + taskId;
  }

  /** One item: waiting (no stream yet) or out with a stream. */
  private static final class Pending<T> {
    final String key;
    final WorkItem item;
    final RemoteEpisode episode;
    final CompletableFuture<T> result = new CompletableFuture<>();
    WorkerStream stream;

    Pending(String key, WorkItem item, RemoteEpisode episode) {
      this.key = key;
      this.item = item;
      this.episode = episode;
    }
  }

  /** A worker's open {@code GetWorkItems} call; gRPC observers must not be called concurrently. */
  private static final class WorkerStream {
    final StreamObserver<WorkItem> observer;
    int inFlight;
    int sent;
    private boolean ended;

    WorkerStream(StreamObserver<WorkItem> observer) {
      this.observer = observer;
    }

    synchronized boolean send(WorkItem item) {
      if (ended) {
        return false;
      }
      try {
        observer.onNext(item);
        return true;
      } catch (RuntimeException e) {
        ended = true;
        return false;
      }
    }

    synchronized void end() {
      if (!ended) {
        ended = true;
        try {
          observer.onCompleted();
        } catch (RuntimeException e) {
          // already cancelled by the worker
        }
      }
    }
  }

  /** The worker that took an item went away, or none could take it. */
  static final class WorkerGoneException extends RuntimeException {
    WorkerGoneException(String message) {
      super(message);
    }
  }
}
