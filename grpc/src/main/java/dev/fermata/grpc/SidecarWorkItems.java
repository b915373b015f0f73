package dev.fermata.grpc;

import dev.fermata.grpc.protocol.OrchestratorService.ActivityRequest;
import dev.fermata.grpc.protocol.OrchestratorService.ActivityResponse;
import dev.fermata.grpc.protocol.OrchestratorService.EntityBatchResult;
import dev.fermata.grpc.protocol.OrchestratorService.GetWorkItemsRequest;
import dev.fermata.grpc.protocol.OrchestratorService.HealthPing;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestrationInstance;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestratorResponse;
import dev.fermata.grpc.protocol.OrchestratorService.TraceContext;
import dev.fermata.grpc.protocol.OrchestratorService.WorkItem;
import dev.fermata.grpc.protocol.OrchestratorService.WorkItemFilters;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.EntityBatchOutcome;
import dev.fermata.spi.EpisodeOutcome;
import dev.fermata.spi.NoRemoteWorkerException;
import dev.fermata.spi.RemoteEntityBatch;
import dev.fermata.spi.RemoteEpisode;
import dev.fermata.spi.RemoteWorkers;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the engine's remote episodes, activity calls and entity batches to the SDK workers
 * connected by {@code GetWorkItems}, and matches their answers back.
 *
 * <p>Work waits here, in arrival order, until a worker stream that takes it has room. A worker may
 * say in its request how many items of each kind it runs at once ({@code
 * maxConcurrentOrchestrationWorkItems} and the like): its stream gets at most that many of the
 * kind. The kinds it says nothing of share {@link #MAX_IN_FLIGHT_PER_STREAM}, because an item sent
 * to a stream is lost with it and durabletask-java 1.5.0, which says nothing, works through a
 * stream's items one by one. A stream that sent work item filters gets only the names they list.
 * While it waits, the engine holds the instance or task, so waiting work counts against the
 * engine's concurrency limits. When a stream ends, the items it had are failed; the engine then
 * hands them out again, to any stream. An engine whose store other engines share asks for waiting
 * work to be given back once no worker has been connected for a while ({@link
 * #giveBackWhenNoWorker}), so that engines with workers take it.
 *
 * <p>Each item goes out with a completion token, unique in this process, and an answer that carries
 * one is matched by it alone: an answer to an item that went elsewhere since (its stream was taken
 * for gone) matches nothing and is dropped. Older SDKs (durabletask-java 1.5.0) send no token;
 * their answers are matched by instance id, and by task id for an activity, which is sound because
 * the engine runs at most one episode of an instance at a time.
 *
 * <p>A stream sent nothing for the ping interval ({@link #DEFAULT_PING_INTERVAL} unless set) gets a
 * health ping, so that proxies and load balancers between worker and host do not close it as idle;
 * a stream that can no longer take one is taken for gone, and its items are handed out again. Only
 * streams whose worker has answered an item with its completion token are pinged: such an SDK
 * speaks the newer contract and ignores pings, while durabletask-java 1.5.0, which sends no tokens,
 * logs a warning for every ping.
 */
public final class SidecarWorkItems implements RemoteWorkers, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SidecarWorkItems.class);

  /**
   * Items a stream holds at once, of the kinds its worker gave no number for; a few keep an SDK
   * busy without stranding much if it dies.
   */
  static final int MAX_IN_FLIGHT_PER_STREAM = 8;

  /** How long a stream may go without being sent anything before it gets a health ping. */
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);

  private static final WorkItem HEALTH_PING =
      WorkItem.newBuilder().setHealthPing(HealthPing.getDefaultInstance()).build();

  private final InstantSource clock;
  private final Object lock = new Object();
  private final ArrayDeque<Pending<?>> waiting = new ArrayDeque<>();
  private final List<WorkerStream> streams = new ArrayList<>();

  /** Items out with a stream, by completion token. */
  private final Map<String, Pending<?>> out = new HashMap<>();

  /** Tokens of the items out, by what a token-less answer names: instance, or instance and task. */
  private final Map<String, ArrayDeque<String>> tokensByKey = new HashMap<>();

  private final List<Runnable> connectionListeners = new CopyOnWriteArrayList<>();

  /** How long work waits with no worker connected before it is given back; null: for ever. */
  private Duration giveBackAfter;

  /** Give-back checks and health pings. */
  private final ScheduledExecutorService timers;

  private final long pingIntervalNanos;
  private final AtomicLong pingsSent = new AtomicLong();

  /** A look at the grace is scheduled: one at a time, however much work arrives meanwhile. */
  private boolean giveBackScheduled;

  /** When the last worker left (or this started), in {@link System#nanoTime()}'s terms. */
  private long noWorkerSince = System.nanoTime();

  private long lastToken;
  private boolean closed;

  public SidecarWorkItems(InstantSource clock) {
    this(clock, DEFAULT_PING_INTERVAL);
  }

  /** As {@link #SidecarWorkItems(InstantSource)}, pinging streams idle for {@code pingInterval}. */
  public SidecarWorkItems(InstantSource clock, Duration pingInterval) {
    if (!pingInterval.isPositive()) {
      throw new IllegalArgumentException("pingInterval must be positive, got " + pingInterval);
    }
    this.clock = clock;
    this.pingIntervalNanos = pingInterval.toNanos();
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("fermata-sidecar-timers").daemon(true).unstarted(r));
    // Looked at twice per interval: an idle stream is pinged within 1.5 intervals of its last item.
    long every = Math.max(1, pingIntervalNanos / 2);
    timers.scheduleAtFixedRate(this::pingIdleStreams, every, every, TimeUnit.NANOSECONDS);
  }

  /** The kinds of work item, each answered by its own call. */
  enum Kind {
    ORCHESTRATION,
    ACTIVITY,
    ENTITY
  }

  private static final int KINDS = Kind.values().length;

  // ---- the engine's side ----

  @Override
  public CompletableFuture<EpisodeOutcome> runEpisode(RemoteEpisode episode) {
    String id = episode.instance().instanceId();
    WorkItem item = WorkItem.newBuilder().setOrchestratorRequest(WorkRequests.of(episode)).build();
    return submit(
        new Pending<EpisodeOutcome>(
            Kind.ORCHESTRATION,
            episode.instance().name(),
            orchestrationKey(id),
            item,
            answer -> WorkResponses.outcome((OrchestratorResponse) answer)));
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
    // The engine's span of this activity run is current: the worker's spans join it.
    TraceContext trace = ProtoTrace.current();
    if (trace != null) {
      request.setParentTraceContext(trace);
    }
    WorkItem item = WorkItem.newBuilder().setActivityRequest(request).build();
    return submit(
        new Pending<HistoryEvent>(
            Kind.ACTIVITY,
            task.name(),
            activityKey(task.instanceId(), task.taskId()),
            item,
            answer -> WorkResponses.activityResult((ActivityResponse) answer, clock.instant())));
  }

  @Override
  public CompletableFuture<EntityBatchOutcome> runEntityBatch(RemoteEntityBatch batch) {
    WorkItem item = WorkItem.newBuilder().setEntityRequest(WorkRequests.of(batch)).build();
    return submit(
        new Pending<EntityBatchOutcome>(
            Kind.ENTITY,
            batch.entity().name(),
            null, // every SDK that runs entities sends tokens
            item,
            answer -> WorkResponses.entityOutcome((EntityBatchResult) answer, batch)));
  }

  private <T> CompletableFuture<T> submit(Pending<T> pending) {
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(new WorkerGoneException("the sidecar is closed"));
      }
      waiting.add(pending);
      if (streams.isEmpty()) {
        scheduleGiveBack();
      }
    }
    pump();
    return pending.result;
  }

  @Override
  public boolean connected() {
    return streamCount() > 0;
  }

  @Override
  public void onConnectionChange(Runnable listener) {
    connectionListeners.add(listener);
  }

  @Override
  public void giveBackWhenNoWorker(Duration after) {
    synchronized (lock) {
      giveBackAfter = after;
      if (streams.isEmpty()) {
        scheduleGiveBack();
      }
    }
  }

  /** Looks again when the grace without workers runs out; the caller holds the lock. */
  private void scheduleGiveBack() {
    if (giveBackAfter == null || closed || giveBackScheduled) {
      return;
    }
    giveBackScheduled = true;
    long due = noWorkerSince + giveBackAfter.toNanos() - System.nanoTime();
    timers.schedule(this::giveBackIfNoWorker, Math.max(0, due), TimeUnit.NANOSECONDS);
  }

  /**
   * Gives back the work that waits, if no worker has been connected for the grace: the engine
   * returns it to the store, for engines with workers (see {@link #giveBackWhenNoWorker}).
   */
  private void giveBackIfNoWorker() {
    List<Pending<?>> givenBack;
    synchronized (lock) {
      giveBackScheduled = false;
      if (!streams.isEmpty() || waiting.isEmpty() || closed) {
        return;
      }
      if (System.nanoTime() - noWorkerSince < giveBackAfter.toNanos()) {
        scheduleGiveBack(); // a worker came and went meanwhile
        return;
      }
      givenBack = List.copyOf(waiting);
      waiting.clear();
    }
    log.info(
        "No Durable Task worker has been connected for {} s: {} waiting item(s) given back to the"
            + " store for other hosts",
        giveBackAfter.toSeconds(),
        givenBack.size());
    NoRemoteWorkerException none =
        new NoRemoteWorkerException(
            "no Durable Task worker was connected to this host for " + giveBackAfter);
    givenBack.forEach(p -> p.result.completeExceptionally(none));
  }

  /** Pings each stream sent nothing for the ping interval; one that fails to take it is gone. */
  private void pingIdleStreams() {
    long now = System.nanoTime();
    List<WorkerStream> idle;
    synchronized (lock) {
      idle =
          streams.stream()
              .filter(s -> s.answersWithTokens && now - s.lastSentNanos >= pingIntervalNanos)
              .toList();
    }
    for (WorkerStream stream : idle) {
      if (stream.send(HEALTH_PING)) {
        pingsSent.incrementAndGet();
      } else {
        disconnect(stream, "a health ping could not be sent");
      }
    }
  }

  private void connectionChanged() {
    for (Runnable listener : connectionListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("A listener of worker connections failed", e);
      }
    }
  }

  // ---- the workers' side ----

  /**
   * A worker opened {@code GetWorkItems}: work flows to it until it cancels or the server stops.
   */
  void connect(GetWorkItemsRequest request, StreamObserver<WorkItem> observer) {
    WorkerStream stream =
        new WorkerStream(
            observer,
            request.hasWorkItemFilters() ? request.getWorkItemFilters() : null,
            request.getMaxConcurrentOrchestrationWorkItems(),
            request.getMaxConcurrentActivityWorkItems(),
            request.getMaxConcurrentEntityWorkItems());
    if (observer instanceof ServerCallStreamObserver<WorkItem> call) {
      call.setOnCancelHandler(() -> disconnect(stream, "the worker closed its stream"));
    }
    boolean first;
    synchronized (lock) {
      if (closed) {
        observer.onCompleted();
        return;
      }
      first = streams.isEmpty();
      streams.add(stream);
    }
    log.info("A Durable Task worker connected ({} connected)", streamCount());
    pump();
    if (first) {
      connectionChanged();
    }
  }

  /** An orchestrator's answer; false if nobody waits for it any more. */
  boolean completeEpisode(OrchestratorResponse response) {
    return complete(
        Kind.ORCHESTRATION,
        response.getCompletionToken(),
        orchestrationKey(response.getInstanceId()),
        response);
  }

  /** An activity's answer; false if nobody waits for it any more. */
  boolean completeActivity(ActivityResponse response) {
    return complete(
        Kind.ACTIVITY,
        response.getCompletionToken(),
        activityKey(response.getInstanceId(), response.getTaskId()),
        response);
  }

  /** An entity batch's answer; false if nobody waits for it any more. */
  boolean completeEntityBatch(EntityBatchResult result) {
    return complete(Kind.ENTITY, result.getCompletionToken(), null, result);
  }

  /**
   * A worker gave an item back without running it: it goes to the engine as a lost call, which the
   * engine hands out again. False if nobody waits for it any more.
   */
  boolean abandon(Kind kind, String token) {
    Pending<?> pending = take(kind, token, null);
    if (pending == null) {
      return false;
    }
    pump();
    pending.result.completeExceptionally(new WorkerGoneException("the worker gave it back"));
    return true;
  }

  private boolean complete(Kind kind, String token, String key, Object answer) {
    Pending<?> pending = take(kind, token, key);
    if (pending == null) {
      return false;
    }
    pump();
    pending.complete(answer);
    return true;
  }

  /** Removes the item an answer is for: by its token, or by its key when it carries none. */
  private Pending<?> take(Kind kind, String token, String key) {
    synchronized (lock) {
      String found = token;
      if (token.isEmpty()) {
        ArrayDeque<String> tokens = key == null ? null : tokensByKey.get(key);
        found = tokens == null ? null : tokens.peek();
      }
      Pending<?> pending = found == null ? null : out.get(found);
      if (pending == null || pending.kind != kind) {
        return null;
      }
      forget(pending);
      pending.stream.returned(pending.kind);
      if (!token.isEmpty()) {
        pending.stream.answersWithTokens = true;
      }
      return pending;
    }
  }

  /** How many items each connected stream was sent (for tests and diagnostics). */
  List<Integer> itemsSentPerStream() {
    synchronized (lock) {
      return streams.stream().map(s -> s.sent).toList();
    }
  }

  /** How many health pings were sent, to all streams (for tests and diagnostics). */
  long pingsSent() {
    return pingsSent.get();
  }

  /** How many items wait for a stream (for tests and diagnostics). */
  int waitingCount() {
    synchronized (lock) {
      return waiting.size();
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
      timers.shutdownNow();
      ended = List.copyOf(streams);
      streams.clear();
      failed.addAll(waiting);
      waiting.clear();
      failed.addAll(out.values());
      out.clear();
      tokensByKey.clear();
    }
    for (WorkerStream s : ended) {
      s.end();
    }
    WorkerGoneException gone = new WorkerGoneException("the sidecar is closing");
    failed.forEach(p -> p.result.completeExceptionally(gone));
  }

  // ---- dispatch ----

  /**
   * Sends waiting work, oldest first, each item to the least busy stream that takes it and has
   * room; an item no stream takes now stays, without holding back the ones behind it.
   */
  private void pump() {
    List<Pending<?>> toSend = new ArrayList<>();
    synchronized (lock) {
      // Kinds no stream has room for: their items are passed over. Once no stream has room for
      // anything, the rest of the queue is not looked at (it may be long while workers are busy).
      EnumSet<Kind> full = EnumSet.noneOf(Kind.class);
      for (Iterator<Pending<?>> it = waiting.iterator(); it.hasNext(); ) {
        Pending<?> pending = it.next();
        if (full.contains(pending.kind)) {
          continue;
        }
        WorkerStream stream = null;
        boolean anyRoom = false;
        for (WorkerStream s : streams) {
          if (s.hasRoomFor(pending.kind)) {
            anyRoom = true;
            if (s.takes(pending) && (stream == null || s.inFlight() < stream.inFlight())) {
              stream = s;
            }
          }
        }
        if (!anyRoom) {
          full.add(pending.kind);
          if (streams.stream().noneMatch(WorkerStream::hasRoomForAnyKind)) {
            break;
          }
          continue;
        }
        if (stream == null) {
          continue;
        }
        it.remove();
        pending.stream = stream;
        pending.token = Long.toString(++lastToken);
        stream.sentOut(pending.kind);
        register(pending);
        toSend.add(pending);
      }
    }
    for (Pending<?> pending : toSend) {
      WorkItem item = pending.item.toBuilder().setCompletionToken(pending.token).build();
      if (!pending.stream.send(item)) {
        disconnect(pending.stream, "sending to the worker failed");
      }
    }
  }

  /** Makes an item findable by its answer; before it is sent, so that no answer can beat it. */
  private void register(Pending<?> pending) {
    out.put(pending.token, pending);
    if (pending.key != null) {
      tokensByKey.computeIfAbsent(pending.key, k -> new ArrayDeque<>()).add(pending.token);
    }
  }

  private void forget(Pending<?> pending) {
    out.remove(pending.token);
    if (pending.key != null) {
      ArrayDeque<String> tokens = tokensByKey.get(pending.key);
      if (tokens != null && tokens.remove(pending.token) && tokens.isEmpty()) {
        tokensByKey.remove(pending.key);
      }
    }
  }

  /** A stream ended: the items it held fail, so that the engine hands them out again. */
  private void disconnect(WorkerStream stream, String why) {
    List<Pending<?>> lost = new ArrayList<>();
    boolean last;
    synchronized (lock) {
      if (!streams.remove(stream)) {
        return;
      }
      last = streams.isEmpty();
      if (last) {
        noWorkerSince = System.nanoTime();
        scheduleGiveBack();
      }
      for (Pending<?> p : out.values()) {
        if (p.stream == stream) {
          lost.add(p);
        }
      }
      lost.forEach(this::forget);
    }
    log.info(
        "A Durable Task worker disconnected ({}); {} item(s) it held will be handed out again",
        why,
        lost.size());
    stream.end();
    WorkerGoneException gone = new WorkerGoneException("the worker's stream ended: " + why);
    lost.forEach(p -> p.result.completeExceptionally(gone));
    pump();
    if (last) {
      connectionChanged();
    }
  }

  private static String orchestrationKey(String instanceId) {
    return "o\n" + instanceId;
  }

  private static String activityKey(String instanceId, int taskId) {
    return "a\n" + instanceId + "\n" + taskId;
  }

  /** One item: waiting (no stream yet) or out with a stream. */
  private static final class Pending<T> {
    final Kind kind;
    final String name;
    final String key;
    final WorkItem item;
    final Function<Object, T> reading;
    final CompletableFuture<T> result = new CompletableFuture<>();
    WorkerStream stream;
    String token;

    /**
     * @param name the orchestration, activity or entity name, for work item filters
     * @param key what a token-less answer names, or null if every answer carries a token
     * @param reading turns the worker's answer into the engine's value
     */
    Pending(Kind kind, String name, String key, WorkItem item, Function<Object, T> reading) {
      this.kind = kind;
      this.name = name;
      this.key = key;
      this.item = item;
      this.reading = reading;
    }

    void complete(Object answer) {
      try {
        result.complete(reading.apply(answer));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }
  }

  /** A worker's open {@code GetWorkItems} call; gRPC observers must not be called concurrently. */
  private static final class WorkerStream {
    final StreamObserver<WorkItem> observer;
    final WorkItemFilters filters;

    /** How many items of each kind its worker runs at once, by kind; 0 where it gave no number. */
    private final int[] maxInFlight;

    /** Items out with it, by kind. */
    private final int[] inFlightByKind = new int[KINDS];

    int sent;

    /** When it was last sent anything, work or ping, in {@link System#nanoTime()}'s terms. */
    volatile long lastSentNanos = System.nanoTime();

    /** Its worker answered an item with the item's completion token: it can take pings. */
    volatile boolean answersWithTokens;

    private boolean ended;

    /**
     * @param filters the names this worker runs, or null for all
     * @param orchestrations how many episodes the worker runs at once; 0 or less if it did not say
     * @param activities the same, for activity calls
     * @param entities the same, for entity batches
     */
    WorkerStream(
        StreamObserver<WorkItem> observer,
        WorkItemFilters filters,
        int orchestrations,
        int activities,
        int entities) {
      this.observer = observer;
      this.filters = filters;
      this.maxInFlight = new int[KINDS];
      maxInFlight[Kind.ORCHESTRATION.ordinal()] = Math.max(0, orchestrations);
      maxInFlight[Kind.ACTIVITY.ordinal()] = Math.max(0, activities);
      maxInFlight[Kind.ENTITY.ordinal()] = Math.max(0, entities);
    }

    boolean hasRoomFor(Kind kind) {
      int max = maxInFlight[kind.ordinal()];
      return max > 0
          ? inFlightByKind[kind.ordinal()] < max
          : inFlightOfUnnumberedKinds() < MAX_IN_FLIGHT_PER_STREAM;
    }

    int inFlight() {
      int count = 0;
      for (int n : inFlightByKind) {
        count += n;
      }
      return count;
    }

    /** Items out with it of the kinds its worker gave no number for. */
    private int inFlightOfUnnumberedKinds() {
      int count = 0;
      for (int k = 0; k < KINDS; k++) {
        count += maxInFlight[k] == 0 ? inFlightByKind[k] : 0;
      }
      return count;
    }

    boolean hasRoomForAnyKind() {
      for (Kind kind : Kind.values()) {
        if (hasRoomFor(kind)) {
          return true;
        }
      }
      return false;
    }

    /** An item of this kind went out to it. */
    void sentOut(Kind kind) {
      inFlightByKind[kind.ordinal()]++;
      sent++;
    }

    /** An item of this kind it held was answered, given back or taken from it. */
    void returned(Kind kind) {
      inFlightByKind[kind.ordinal()]--;
    }

    boolean takes(Pending<?> pending) {
      if (filters == null) {
        return true;
      }
      return switch (pending.kind) {
        case ORCHESTRATION ->
            filters.getOrchestrationsList().stream()
                .anyMatch(f -> f.getName().equalsIgnoreCase(pending.name));
        case ACTIVITY ->
            filters.getActivitiesList().stream()
                .anyMatch(f -> f.getName().equalsIgnoreCase(pending.name));
        case ENTITY ->
            filters.getEntitiesList().stream()
                .anyMatch(f -> f.getName().equalsIgnoreCase(pending.name));
      };
    }

    synchronized boolean send(WorkItem item) {
      if (ended) {
        return false;
      }
      try {
        observer.onNext(item);
        lastSentNanos = System.nanoTime();
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
