package dev.fermata;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.entities.EntityContext;
import dev.fermata.entities.EntityFunction;
import dev.fermata.entities.EntityId;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.EngineTracing;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.JsonConverter;
import dev.fermata.internal.client.ClientImpl;
import dev.fermata.internal.entities.ClassEntity;
import dev.fermata.internal.replay.HistoryReplay;
import dev.fermata.internal.worker.ActivityWorker;
import dev.fermata.internal.worker.EngineMetrics;
import dev.fermata.internal.worker.OrchestrationWorker;
import dev.fermata.internal.worker.RetentionPurger;
import dev.fermata.internal.worker.WriteOutcomes;
import dev.fermata.spi.DefaultStoreProvider;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.RemoteWorkers;
import dev.fermata.spi.WorkScope;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * A Fermata engine: your orchestrators and activities, a store, and the workers that run them.
 *
 * <pre>{@code
 * try (Fermata fermata = Fermata.builder()
 *         .orchestrator("Greet", ctx -> ctx.callActivity("Hello", ctx.getInput(String.class), String.class).await())
 *         .activity("Hello", String.class, (ctx, name) -> "Hello, " + name + "!")
 *         .build()
 *         .start()) {
 *   String id = fermata.client().scheduleNew("Greet", "Ada");
 *   fermata.client().waitForCompletion(id, Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Without {@link Builder#store}, the engine opens the default store: SQLite at {@code
 * ./fermata-data/fermata.db} when the {@code fermata-sqlite} module is on the class path.
 */
public final class Fermata implements AutoCloseable {
  /**
   * How long work for remote workers stays with an engine on a shared store once its last worker
   * left: long enough for a worker that restarts to come back, short enough not to stall the work.
   */
  static final Duration REMOTE_WORKER_GRACE = Duration.ofSeconds(5);

  private final Settings settings;
  private final DurableStore store;
  private final FunctionRegistry functions;
  private final JsonConverter json;
  private final ClientImpl client;
  private final OrchestrationWorker orchestrations;
  private final ActivityWorker activities;
  private final RetentionPurger retention; // null when instances are kept for ever
  private final InstantSource clock;
  private final WriteOutcomes writes;
  private boolean storeOpen;
  // Volatile: isRunning() reads them without the lock, which close() holds while it drains.
  private volatile boolean started;
  private volatile boolean closed;

  /** Engine settings, frozen when the engine is built. */
  public record Settings(
      int maxConcurrentOrchestrations,
      int maxConcurrentActivities,
      int instanceCacheSize,
      Duration instanceIdleTimeout,
      int maxDeliveryAttempts,
      int maxPayloadChars,
      Duration shutdownGracePeriod,
      int maxEntityOperationBatchSize,
      Duration retention,
      Duration orchestratorBlockingLimit,
      String defaultVersion) {
    public Settings {
      requirePositive("maxEntityOperationBatchSize", maxEntityOperationBatchSize);
      requirePositive("maxConcurrentOrchestrations", maxConcurrentOrchestrations);
      requirePositive("maxConcurrentActivities", maxConcurrentActivities);
      if (instanceCacheSize < 0) {
        throw new IllegalArgumentException(
            "instanceCacheSize must be 0 (no cache) or more, got " + instanceCacheSize);
      }
      if (instanceIdleTimeout == null || !instanceIdleTimeout.isPositive()) {
        throw new IllegalArgumentException(
            "instanceIdleTimeout must be positive, got " + instanceIdleTimeout);
      }
      requirePositive("maxDeliveryAttempts", maxDeliveryAttempts);
      requirePositive("maxPayloadChars", maxPayloadChars);
      if (shutdownGracePeriod == null || shutdownGracePeriod.isNegative()) {
        throw new IllegalArgumentException(
            "shutdownGracePeriod must be zero or positive, got " + shutdownGracePeriod);
      }
      if (orchestratorBlockingLimit == null || orchestratorBlockingLimit.isNegative()) {
        throw new IllegalArgumentException(
            "orchestratorBlockingLimit must be positive (or zero for no limit), got "
                + orchestratorBlockingLimit);
      }
      if (retention != null && !retention.isPositive()) {
        throw new IllegalArgumentException(
            "retention must be positive (or null to keep finished instances), got " + retention);
      }
    }

    private static void requirePositive(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, got " + value);
      }
    }
  }

  private Fermata(Builder b) {
    this.settings = b.settings();
    this.store = b.store != null ? b.store : openDefaultStore();
    this.functions =
        new FunctionRegistry(b.orchestrators, b.activities, b.entities, b.remoteWorkers != null);
    this.json = new JsonConverter(b.objectMapper, settings.maxPayloadChars());
    this.writes = new WriteOutcomes(b.clock);
    EngineMetrics metrics = new EngineMetrics(b.meterRegistry);
    metrics.gaugeBacklog(store::backlog, b.clock);
    store.registerMetrics(metrics.registry());
    EngineTracing tracing = new EngineTracing(b.openTelemetry);
    this.client =
        new ClientImpl(store, functions, json, b.clock, writes, settings.defaultVersion(), tracing);
    this.orchestrations =
        new OrchestrationWorker(
            store,
            functions,
            json,
            b.clock,
            settings.maxConcurrentOrchestrations(),
            settings.instanceCacheSize(),
            settings.instanceIdleTimeout(),
            settings.maxDeliveryAttempts(),
            settings.maxEntityOperationBatchSize(),
            writes,
            b.remoteWorkers,
            settings.orchestratorBlockingLimit(),
            metrics,
            tracing);
    this.activities =
        new ActivityWorker(
            store,
            functions,
            json,
            b.clock,
            settings.maxConcurrentActivities(),
            settings.maxDeliveryAttempts(),
            writes,
            b.remoteWorkers,
            metrics,
            tracing);
    shareWorkWithOtherEngines(b.remoteWorkers);
    this.retention =
        settings.retention() == null
            ? null
            : new RetentionPurger(store, settings.retention(), b.clock);
    this.clock = b.clock;
  }

  /**
   * On a store several engines share, this engine claims the work of the names it has code for.
   * Work of other names belongs to other engines (ones whose SDK workers run it, or a newer
   * release's), rather than failing here as unknown; with remote workers, this engine claims it too
   * while a worker is connected to it, and gives back what it holds once none has been for {@link
   * #REMOTE_WORKER_GRACE}.
   *
   * @param remote the remote workers, or null if this engine has none
   */
  private void shareWorkWithOtherEngines(RemoteWorkers remote) {
    WorkScope scope =
        new WorkScope(
            lowercased(functions.orchestratorNames(), functions.entityNames()),
            lowercased(functions.activityNames()),
            remote);
    if (store.scopeWork(scope) && remote != null) {
      remote.onConnectionChange(store::workScopeChanged);
      remote.giveBackWhenNoWorker(REMOTE_WORKER_GRACE);
    }
  }

  @SafeVarargs
  private static Set<String> lowercased(Set<String>... nameSets) {
    Set<String> all = new HashSet<>();
    for (Set<String> names : nameSets) {
      names.forEach(n -> all.add(n.toLowerCase(Locale.ROOT)));
    }
    return all;
  }

  private static DurableStore openDefaultStore() {
    return ServiceLoader.load(DefaultStoreProvider.class)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "No store was given and no default store is available: add the fermata-sqlite"
                        + " module to the class path, or call Builder.store(...)"))
        .openDefaultStore();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the store without starting the workers, so that a host can take the store and its other
   * resources (its HTTP port) first and run nothing if one of them fails. The {@link #client()}
   * works from here on; instances wait for {@link #start}. Does nothing if the store is open.
   *
   * @throws FermataException if the store cannot be opened (for SQLite: also if another process has
   *     the file)
   */
  public synchronized Fermata openStore() {
    if (closed) {
      throw new IllegalStateException("This engine was closed; build a new one");
    }
    if (!storeOpen) {
      store.start(clock);
      storeOpen = true;
    }
    return this;
  }

  /** Opens the store, if {@link #openStore} did not, and starts the workers. */
  public synchronized Fermata start() {
    openStore();
    if (!started) {
      orchestrations.start();
      activities.start();
      if (retention != null) {
        retention.start();
      }
      started = true;
    }
    return this;
  }

  public FermataClient client() {
    return client;
  }

  /**
   * Whether the workers run: {@link #start} was called and {@link #close} was not (it turns false
   * as soon as closing begins, while running work drains). Does not wait for a closing engine.
   */
  public boolean isRunning() {
    return started && !closed;
  }

  /** The clock the engine reads the time from (the system's, unless the builder set another). */
  public InstantSource clock() {
    return clock;
  }

  /**
   * When the store's writes started failing, if the latest one failed: the workers' (checkpoints,
   * activity results) and the {@link #client()}'s (starts, events, signals, purges), which also
   * fail to their caller. Empty once a later write succeeds. Only failures of the storage count,
   * not refusals such as an instance id already taken.
   */
  public Optional<Instant> writesFailingSince() {
    return writes.failingSince();
  }

  public DurableStore store() {
    return store;
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Replays an instance's stored history (its current execution) against this engine's orchestrator
   * code, without running or recording anything: a check, before a deployment, that changed code
   * still fits the instances in flight. Needs the store open ({@link #openStore}), not the workers.
   *
   * @throws InstanceNotFoundException if there is no such instance
   */
  public ReplayVerdict checkReplay(String instanceId) {
    InstanceState instance =
        client
            .getInstance(instanceId, false)
            .orElseThrow(
                () -> new InstanceNotFoundException("No instance with id '" + instanceId + "'"));
    if (instanceId.startsWith("@")) {
      return new ReplayVerdict(
          instanceId,
          instance.getName(),
          0,
          ReplayVerdict.Outcome.NOT_HERE,
          "an entity has no history");
    }
    List<HistoryEvent> history = store.getHistory(instanceId);
    if (history.stream().noneMatch(HistoryEvent.ExecutionStarted.class::isInstance)) {
      // Not started (a scheduled start): its code will run from the beginning, whatever it is.
      boolean here = functions.orchestrator(instance.getName()) != null;
      return new ReplayVerdict(
          instanceId,
          instance.getName(),
          0,
          here ? ReplayVerdict.Outcome.MATCHES : ReplayVerdict.Outcome.NOT_HERE,
          here ? null : "no orchestrator '" + instance.getName() + "' in this engine");
    }
    return checkReplay(instanceId, history);
  }

  /**
   * Replays {@code history} (one execution's, from its ExecutionStarted on, as a store holds it)
   * against this engine's orchestrator code, as {@link #checkReplay(String)} does for a stored
   * instance. Needs neither the store nor the workers.
   *
   * @throws IllegalArgumentException if the history has no ExecutionStarted (it names the
   *     orchestrator)
   */
  public ReplayVerdict checkReplay(String instanceId, List<HistoryEvent> history) {
    String name =
        history.stream()
            .filter(HistoryEvent.ExecutionStarted.class::isInstance)
            .map(e -> ((HistoryEvent.ExecutionStarted) e).name())
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "The history of '" + instanceId + "' has no ExecutionStarted event"));
    if (functions.orchestrator(name) == null) {
      return new ReplayVerdict(
          instanceId,
          name,
          0,
          ReplayVerdict.Outcome.NOT_HERE,
          "no orchestrator '" + name + "' in this engine");
    }
    String difference =
        HistoryReplay.difference(
            instanceId, history, functions, json, settings.orchestratorBlockingLimit());
    return new ReplayVerdict(
        instanceId,
        name,
        history.size(),
        difference == null ? ReplayVerdict.Outcome.MATCHES : ReplayVerdict.Outcome.DIFFERS,
        difference);
  }

  /** Names of the registered orchestrators. */
  public Set<String> orchestratorNames() {
    return functions.orchestratorNames();
  }

  /** Names of the registered activities. */
  public Set<String> activityNames() {
    return functions.activityNames();
  }

  /** Names of the registered entities (lowercased). */
  public Set<String> entityNames() {
    return functions.entityNames();
  }

  /** Live orchestrations parked in the instance cache. */
  public int cachedInstances() {
    return orchestrations.cachedInstances();
  }

  /**
   * Stops gracefully: takes no new work, lets running activities and episodes finish within the
   * shutdown grace period, and closes the store. Work that did not finish runs again at the next
   * start; nothing is lost.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (started) {
      if (retention != null) {
        retention.stop();
      }
      activities.stop(settings.shutdownGracePeriod());
      orchestrations.stop(settings.shutdownGracePeriod());
    }
    store.close();
  }

  /** Configures and builds an engine. */
  public static final class Builder {
    private DurableStore store;
    private final Map<String, Orchestrator> orchestrators = new LinkedHashMap<>();
    private final Map<String, Activity> activities = new LinkedHashMap<>();
    private final Map<String, EntityFunction> entities = new LinkedHashMap<>();
    private InstantSource clock = InstantSource.system();
    private ObjectMapper objectMapper = JsonConverter.defaultMapper();
    private int maxConcurrentOrchestrations = 10 * Runtime.getRuntime().availableProcessors();
    private int maxConcurrentActivities = 10 * Runtime.getRuntime().availableProcessors();
    private int instanceCacheSize = 10_000;
    private Duration instanceIdleTimeout = Duration.ofSeconds(30);
    private int maxDeliveryAttempts = 5;
    private int maxPayloadChars = 16 * 1024 * 1024;
    private Duration shutdownGracePeriod = Duration.ofSeconds(30);
    private int maxEntityOperationBatchSize = 1000;
    private Duration retention;
    private Duration orchestratorBlockingLimit = Duration.ofSeconds(2);
    private String defaultVersion;
    private RemoteWorkers remoteWorkers;
    private MeterRegistry meterRegistry;
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();

    private Builder() {}

    public Builder store(DurableStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Records the engine's metrics (episodes, activities, instances ended, the instance cache,
     * checkpoint commits; see docs/host.md) in {@code registry}. Without one, none are kept.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Records the engine's spans into {@code openTelemetry} (the application's SDK, or its agent's
     * {@code GlobalOpenTelemetry}): a short {@code create_orchestration:<name>} span at each start,
     * under the caller's current span; an {@code activity:<name>} span for each activity run,
     * current while its code runs; and an {@code orchestration:<name>} span from an instance's
     * creation to its end. Without it, no spans are recorded, but a trace the caller is in is still
     * stored with the instances it starts and carried to their activities.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /**
     * Hands the orchestrations and activities this engine has no code for to remote workers (the
     * Durable Task SDKs' workers, through the {@code fermata-grpc} module), instead of failing them
     * as unknown. Starting an instance then accepts any orchestrator name.
     */
    public Builder remoteWorkers(RemoteWorkers remoteWorkers) {
      this.remoteWorkers = Objects.requireNonNull(remoteWorkers, "remoteWorkers");
      return this;
    }

    public Builder orchestrator(String name, Orchestrator orchestrator) {
      register(orchestrators, "orchestrator", name, orchestrator);
      return this;
    }

    /** Registers an orchestrator whose input is converted to {@code inputType}. */
    public <I> Builder orchestrator(
        String name, Class<I> inputType, Orchestrator.WithInput<I> orchestrator) {
      Objects.requireNonNull(orchestrator, "orchestrator");
      return orchestrator(name, ctx -> orchestrator.run(ctx, ctx.getInput(inputType)));
    }

    public Builder activity(String name, Activity activity) {
      register(activities, "activity", name, activity);
      return this;
    }

    /** Registers an activity whose input is converted to {@code inputType}. */
    public <I> Builder activity(String name, Class<I> inputType, Activity.WithInput<I> activity) {
      Objects.requireNonNull(activity, "activity");
      return activity(name, ctx -> activity.run(ctx, ctx.getInput(inputType)));
    }

    /**
     * Registers a function-based entity. Entity names are case-insensitive and may not contain
     * {@code @}.
     */
    public Builder entity(String name, EntityFunction entity) {
      String key = name == null ? null : new EntityId(name, "").name();
      register(entities, "entity", key, entity);
      return this;
    }

    /**
     * Registers a class-based entity: each public method of {@code type} is an operation (with at
     * most one input parameter, plus optionally an {@link EntityContext}); an instance, created
     * with the constructor without parameters, is the state, stored by its fields. Operation {@code
     * delete} deletes the state unless the class defines it.
     *
     * @throws IllegalArgumentException if the class has no such constructor or a method takes more
     *     than one input
     */
    public Builder entity(String name, Class<?> type) {
      Objects.requireNonNull(type, "type");
      return entity(name, new ClassEntity<>(type));
    }

    /**
     * Registers {@code activity} under {@code name} in place of the activity registered under that
     * name (compared ignoring case), if any: for tests that run orchestrators against stand-ins.
     */
    public Builder replaceActivity(String name, Activity activity) {
      activities.keySet().removeIf(known -> known.equalsIgnoreCase(name));
      return activity(name, activity);
    }

    /**
     * Registers {@code orchestrator} under {@code name} in place of the orchestrator registered
     * under that name (compared ignoring case), if any: for tests that replace a sub-orchestration.
     */
    public Builder replaceOrchestrator(String name, Orchestrator orchestrator) {
      orchestrators.keySet().removeIf(known -> known.equalsIgnoreCase(name));
      return orchestrator(name, orchestrator);
    }

    private static <F> void register(Map<String, F> map, String kind, String name, F function) {
      Objects.requireNonNull(function, kind);
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("An " + kind + " needs a name");
      }
      for (String known : map.keySet()) {
        if (known.equalsIgnoreCase(name)) { // names are matched ignoring case, as in Azure
          throw new IllegalArgumentException(
              "An "
                  + kind
                  + " named '"
                  + known
                  + "' is already registered"
                  + (known.equals(name) ? "" : " (names are compared ignoring case)"));
        }
      }
      map.put(name, function);
    }

    /** The clock all engine time comes from (tests may pass one they control). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The Jackson mapper for inputs, outputs and event payloads. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.objectMapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /** Episodes processed at once (default 10 per CPU). */
    public Builder maxConcurrentOrchestrations(int max) {
      this.maxConcurrentOrchestrations = max;
      return this;
    }

    /** Activities run at once (default 10 per CPU). */
    public Builder maxConcurrentActivities(int max) {
      this.maxConcurrentActivities = max;
      return this;
    }

    /** Live instances kept between episodes (default 10,000; 0 replays every episode). */
    public Builder instanceCacheSize(int size) {
      this.instanceCacheSize = size;
      return this;
    }

    /**
     * How long a cached instance may sit idle (waiting for an event or a timer) before it leaves
     * the cache (default 30 s). Its next episode then replays its history; waiting instances cost
     * no memory once they are out.
     */
    public Builder instanceIdleTimeout(Duration timeout) {
      this.instanceIdleTimeout = timeout;
      return this;
    }

    /**
     * Failed processing attempts before a work item is quarantined (default 5): an episode's
     * messages, an entity's batch, or an activity task whose deliveries never produced a result.
     */
    public Builder maxDeliveryAttempts(int attempts) {
      this.maxDeliveryAttempts = attempts;
      return this;
    }

    /** The largest payload, in characters of JSON (default 16 Mi). */
    public Builder maxPayloadChars(int max) {
      this.maxPayloadChars = max;
      return this;
    }

    /** How long {@link Fermata#close()} waits for running work (default 30 s). */
    public Builder shutdownGracePeriod(Duration grace) {
      this.shutdownGracePeriod = grace;
      return this;
    }

    /**
     * Entity messages processed per checkpoint, at most (default 1,000). A work item carries all of
     * an entity's visible messages, so a small batch makes a deep inbox be read many times over.
     */
    public Builder maxEntityOperationBatchSize(int max) {
      this.maxEntityOperationBatchSize = max;
      return this;
    }

    /**
     * Purges finished instances (Completed, Failed, Terminated) whose last update is older than
     * {@code maxAge}, in the background: at start, then about once a minute, at most 500 per pass
     * (sooner again when a pass was full). Off by default ({@code null}): finished instances are
     * kept until purged through the client.
     */
    public Builder retention(Duration maxAge) {
      this.retention = maxAge;
      return this;
    }

    /**
     * How long orchestrator code may run without awaiting a durable task (default 2 s; zero for no
     * limit). Code that sleeps, blocks on I/O or loops longer is reported with its instance and the
     * stack where it was, and its episode is abandoned rather than holding a worker: it runs again
     * after a backoff, and is quarantined if it blocks {@link #maxDeliveryAttempts} times ({@link
     * OrchestratorBlockedException}).
     */
    public Builder orchestratorBlockingLimit(Duration limit) {
      this.orchestratorBlockingLimit = limit;
      return this;
    }

    /**
     * The orchestration version given to instances started without one (by the client, the HTTP API
     * or an SDK client); null, the default, for none. Sub-orchestrations take their parent's.
     */
    public Builder defaultVersion(String version) {
      this.defaultVersion = version == null || version.isBlank() ? null : version;
      return this;
    }

    private Settings settings() {
      return new Settings(
          maxConcurrentOrchestrations,
          maxConcurrentActivities,
          instanceCacheSize,
          instanceIdleTimeout,
          maxDeliveryAttempts,
          maxPayloadChars,
          shutdownGracePeriod,
          maxEntityOperationBatchSize,
          retention,
          orchestratorBlockingLimit,
          defaultVersion);
    }

    public Fermata build() {
      return new Fermata(this);
    }
  }
}
