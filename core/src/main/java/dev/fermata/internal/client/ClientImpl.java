package dev.fermata.internal.client;

import dev.fermata.DeadLetterInfo;
import dev.fermata.FermataClient;
import dev.fermata.InstanceAlreadyExistsException;
import dev.fermata.InstanceNotFoundException;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.InstanceStatusException;
import dev.fermata.NotRedrivableException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.UnknownFunctionException;
import dev.fermata.WaitTimeoutException;
import dev.fermata.entities.CleanEntityStorageResult;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntityQuery;
import dev.fermata.entities.EntityQueryResult;
import dev.fermata.entities.EntitySnapshot;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.EngineTracing;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.InstanceIds;
import dev.fermata.internal.JsonConverter;
import dev.fermata.internal.NewInstances;
import dev.fermata.internal.entities.HeldLocks;
import dev.fermata.internal.worker.WriteOutcomes;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.EntityRows;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** The {@link FermataClient} of an engine: every operation is one store call. */
public final class ClientImpl implements FermataClient {
  private static final Set<OrchestrationStatus> UNFINISHED =
      EnumSet.of(
          OrchestrationStatus.RUNNING,
          OrchestrationStatus.PENDING,
          OrchestrationStatus.SUSPENDED,
          OrchestrationStatus.CONTINUED_AS_NEW);

  /**
   * How long a waiter goes without reading the instance when it hears of no change: a safety net
   * only. Every store reports its own changes at once, a PostgreSQL store also those of other
   * processes, and says when it may have missed some (its notification connection was
   * re-established), and a SQLite file has one process. Each read is a database round trip (a
   * transaction on PostgreSQL) per waiter, so the net is coarse, and grows coarser the longer a
   * wait stays quiet: from 5 s, doubling to a minute (10,000 clients waiting on a backlog read
   * 2,000 times a second at a fixed 5 s).
   */
  private static final long FIRST_RECHECK_MILLIS = 5_000;

  private static final long MAX_RECHECK_MILLIS = 60_000;

  private final DurableStore store;
  private final FunctionRegistry functions;
  private final JsonConverter json;
  private final InstantSource clock;
  private final StatusWaiters waiters = new StatusWaiters();
  private final EntityClient entities;
  private final WriteOutcomes writes;
  private final String defaultVersion; // for instances started without one; may be null
  private final EngineTracing tracing;

  /**
   * A client of {@code store}; {@code writes} records the outcome of its writes, with the workers',
   * for readiness.
   */
  public ClientImpl(
      DurableStore store,
      FunctionRegistry functions,
      JsonConverter json,
      InstantSource clock,
      WriteOutcomes writes,
      String defaultVersion,
      EngineTracing tracing) {
    this.defaultVersion = defaultVersion;
    this.tracing = tracing;
    this.store = store;
    this.functions = functions;
    this.json = json;
    this.clock = clock;
    this.writes = writes;
    this.entities = new EntityClient(store, functions, json, clock, writes);
    store.addInstanceChangeListener(waiters);
  }

  @Override
  public String scheduleNew(String orchestratorName, Object input, StartOptions options) {
    Objects.requireNonNull(orchestratorName, "orchestratorName");
    if (!functions.canRunOrchestrator(orchestratorName)) {
      throw new UnknownFunctionException(
          "orchestrator", orchestratorName, functions.orchestratorNames());
    }
    StartOptions opts = options == null ? StartOptions.DEFAULT : options;
    String id =
        opts.instanceId() == null
            ? InstanceIds.generate()
            : InstanceIds.validate(opts.instanceId());
    String inputJson = json.serialize(input, "input of orchestrator '" + orchestratorName + "'");
    String version = opts.version() != null ? opts.version() : defaultVersion;
    start(id, orchestratorName, inputJson, opts.startAt(), version);
    return id;
  }

  private void start(String id, String name, String inputJson, Instant startAt, String version) {
    String traceParent = tracing.orchestrationCreated(name, id);
    NewInstance start =
        NewInstances.pending(clock.instant(), id, name, inputJson, startAt, version, traceParent);
    if (!writes.record(() -> store.createInstance(start))) {
      throw new InstanceAlreadyExistsException(
          "An instance with id '"
              + id
              + "' is already running, pending or suspended; wait for it to finish, terminate it, or"
              + " choose another id");
    }
  }

  @Override
  public Optional<InstanceState> getInstance(String instanceId, boolean includePayloads) {
    return store
        .getInstance(instanceId)
        .map(r -> new InstanceState(includePayloads ? r : withoutPayloads(r), json));
  }

  private static InstanceRecord withoutPayloads(InstanceRecord r) {
    return r.toBuilder().input(null).output(null).build();
  }

  @Override
  public List<HistoryEvent> getHistory(String instanceId) {
    requireInstance(instanceId);
    return store.getHistory(instanceId);
  }

  private InstanceRecord requireInstance(String instanceId) {
    return store
        .getInstance(instanceId)
        .orElseThrow(
            () -> new InstanceNotFoundException("No instance with id '" + instanceId + "'"));
  }

  @Override
  public InstanceState waitForStart(String instanceId, Duration timeout) {
    return waitFor(instanceId, timeout, s -> s != OrchestrationStatus.PENDING, "start");
  }

  @Override
  public InstanceState waitForCompletion(String instanceId, Duration timeout) {
    return waitFor(instanceId, timeout, OrchestrationStatus::isTerminal, "finish");
  }

  private InstanceState waitFor(
      String instanceId, Duration timeout, Predicate<OrchestrationStatus> done, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    StatusWaiters.Watch change = waiters.watch(instanceId);
    try {
      OrchestrationStatus last = null;
      boolean read = true;
      long recheck = FIRST_RECHECK_MILLIS;
      while (true) {
        if (read) {
          InstanceRecord r = requireInstance(instanceId);
          if (done.test(r.status())) {
            return new InstanceState(r, json);
          }
          last = r.status();
        }
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new WaitTimeoutException(
              "Instance '"
                  + instanceId
                  + "' did not "
                  + what
                  + " within "
                  + timeout
                  + "; it is "
                  + last.displayName());
        }
        StatusWaiters.Heard heard = StatusWaiters.await(change, Math.min(left, recheck));
        recheck = heard.changed() ? FIRST_RECHECK_MILLIS : nextRecheck(recheck);
        if (heard.changed()) {
          change = StatusWaiters.next(change);
          if (heard.status() != null) {
            last = heard.status();
          }
          if (heard.row() != null && done.test(heard.row().status())) {
            return new InstanceState(heard.row(), json); // the row as that change stored it
          }
        }
        // A change to a status that is not awaited needs no read; anything else does.
        read = !heard.changed() || heard.status() == null || done.test(heard.status());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WaitTimeoutException("Interrupted while waiting for instance '" + instanceId + "'");
    } finally {
      waiters.release(instanceId, change);
    }
  }

  /** The safety-net interval after a quiet one of {@code millis}. */
  static long nextRecheck(long millis) {
    return Math.min(MAX_RECHECK_MILLIS, millis * 2);
  }

  /** Instances some caller is waiting on right now (for tests). */
  public int watchedInstances() {
    return waiters.watchedInstances();
  }

  @Override
  public void raiseEvent(String instanceId, String eventName, Object data) {
    Objects.requireNonNull(eventName, "eventName");
    String payload = json.serialize(data, "data of event '" + eventName + "'");
    send(
        instanceId,
        new HistoryEvent.EventRaised(clock.instant(), eventName, payload),
        UNFINISHED,
        "raise event '" + eventName + "' on");
  }

  @Override
  public void terminate(String instanceId, String reason, boolean recursive) {
    send(
        instanceId,
        new HistoryEvent.ExecutionTerminated(clock.instant(), reason, recursive),
        UNFINISHED,
        "terminate");
  }

  @Override
  public void suspend(String instanceId, String reason, boolean recursive) {
    send(
        instanceId,
        new HistoryEvent.ExecutionSuspended(clock.instant(), reason, recursive),
        EnumSet.of(
            OrchestrationStatus.RUNNING,
            OrchestrationStatus.PENDING,
            OrchestrationStatus.CONTINUED_AS_NEW),
        "suspend");
  }

  @Override
  public void resume(String instanceId, String reason, boolean recursive) {
    send(
        instanceId,
        new HistoryEvent.ExecutionResumed(clock.instant(), reason, recursive),
        EnumSet.of(OrchestrationStatus.SUSPENDED),
        "resume");
  }

  @Override
  public void rewind(String instanceId, String reason) {
    if (!HeldLocks.in(store.getHistory(instanceId)).isEmpty()) {
      // Its locks were released when it failed; rewound, it would go on as if it still held them.
      throw new InstanceStatusException(
          "Instance '"
              + instanceId
              + "' failed inside a critical section; it cannot be rewound (restart it instead)",
          null);
    }
    send(
        instanceId,
        new HistoryEvent.ExecutionRewound(clock.instant(), reason),
        EnumSet.of(OrchestrationStatus.FAILED),
        "rewind");
  }

  private void send(
      String instanceId, HistoryEvent event, Set<OrchestrationStatus> accepted, String operation) {
    Objects.requireNonNull(instanceId, "instanceId");
    if (EntityRows.isEntityId(instanceId)) {
      // Sent on, the message would even create the entity: refuse it here.
      throw new IllegalArgumentException(
          "'"
              + instanceId
              + "' is an entity, not an orchestration instance; use signalEntity to send it"
              + " operations");
    }
    Optional<OrchestrationStatus> status =
        writes.record(() -> store.sendMessage(NewMessage.now(instanceId, event), accepted));
    if (status.isEmpty()) {
      throw new InstanceNotFoundException("No instance with id '" + instanceId + "'");
    }
    if (!accepted.contains(status.get())) {
      throw new InstanceStatusException(
          "Cannot "
              + operation
              + " instance '"
              + instanceId
              + "': it is "
              + status.get().displayName(),
          status.get());
    }
  }

  @Override
  public String restart(String instanceId, boolean newInstanceId) {
    InstanceRecord r = requireInstance(instanceId);
    if (!functions.canRunOrchestrator(r.name())) {
      throw new UnknownFunctionException("orchestrator", r.name(), functions.orchestratorNames());
    }
    String id = newInstanceId ? InstanceIds.generate() : instanceId;
    start(id, r.name(), r.input(), null, r.version());
    return id;
  }

  @Override
  public boolean purge(String instanceId) {
    InstanceRecord r = store.getInstance(instanceId).orElse(null);
    if (r == null) {
      return false;
    }
    if (!r.status().isTerminal()) {
      throw new InstanceStatusException(
          "Cannot purge instance '"
              + instanceId
              + "': it is "
              + r.status().displayName()
              + "; only Completed, Failed and Terminated instances can be purged",
          r.status());
    }
    return writes.record(() -> store.purgeInstance(instanceId));
  }

  @Override
  public int purge(InstanceQuery filter) {
    if (selectsEntities(filter)) {
      return 0;
    }
    return writes.record(() -> store.purgeInstances(toFilter(filter)));
  }

  /** No orchestration id starts with '@': such a prefix would select entity rows. */
  private static boolean selectsEntities(InstanceQuery q) {
    return q.instanceIdPrefix() != null && q.instanceIdPrefix().startsWith("@");
  }

  @Override
  public QueryResult query(InstanceQuery query) {
    if (selectsEntities(query)) {
      return new QueryResult(List.of(), null);
    }
    InstancePage page =
        store.queryInstances(
            toFilter(query), query.newestFirst(), query.pageSize(), query.continuationToken());
    return new QueryResult(
        page.instances().stream()
            .map(r -> new InstanceState(query.includeInputs() ? r : withoutPayloads(r), json))
            .toList(),
        page.continuationToken());
  }

  @Override
  public Map<OrchestrationStatus, Long> countInstances(InstanceQuery query) {
    if (selectsEntities(query)) {
      return Map.of();
    }
    return store.countInstances(toFilter(query));
  }

  @Override
  public List<DeadLetterInfo> listDeadLetters(String instanceId, long afterId, int limit) {
    if (afterId < 0) {
      throw new IllegalArgumentException("afterId must be 0 or more, was " + afterId);
    }
    return store.deadLetters(instanceId, afterId, limit).stream().map(ClientImpl::toInfo).toList();
  }

  private static DeadLetterInfo toInfo(DeadLetter d) {
    return new DeadLetterInfo(
        d.id(),
        d.instanceId(),
        d.kind().label(),
        d.description(),
        d.deliveryCount(),
        d.deadLetteredAt(),
        d.reason(),
        d.kind() == DeadLetter.Kind.MESSAGE);
  }

  @Override
  public boolean redriveDeadLetter(long deadLetterId) {
    Optional<DeadLetter> letter = writes.record(() -> store.redriveDeadLetter(deadLetterId));
    if (letter.isPresent() && letter.get().kind() != DeadLetter.Kind.MESSAGE) {
      throw new NotRedrivableException(
          "Dead letter "
              + deadLetterId
              + " is activity '"
              + letter.get().description()
              + "' of instance '"
              + letter.get().instanceId()
              + "': its orchestration already received its failure, so it cannot be re-driven;"
              + " only dead-lettered messages can");
    }
    return letter.isPresent();
  }

  private static InstanceFilter toFilter(InstanceQuery q) {
    return new InstanceFilter(
        q.statuses(), q.name(), q.createdFrom(), q.createdTo(), q.instanceIdPrefix());
  }

  // ---- durable entities ----

  @Override
  public void signalEntity(EntityId entity, String operation, Object input, Instant at) {
    entities.signal(entity, operation, input, at);
  }

  @Override
  public <T> Optional<EntitySnapshot<T>> getEntity(EntityId entity, Class<T> stateType) {
    return entities.read(entity, stateType);
  }

  @Override
  public EntityQueryResult queryEntities(EntityQuery query) {
    return entities.query(Objects.requireNonNull(query, "query"));
  }

  @Override
  public CleanEntityStorageResult cleanEntityStorage(
      boolean removeEmptyEntities, boolean releaseOrphanedLocks) {
    return entities.clean(removeEmptyEntities, releaseOrphanedLocks);
  }
}
