package dev.fermata.host;

import dev.fermata.Activity;
import dev.fermata.Fermata;
import dev.fermata.Orchestrator;
import dev.fermata.grpc.SidecarServer;
import dev.fermata.grpc.SidecarWorkItems;
import dev.fermata.http.HttpFunction;
import dev.fermata.http.HttpFunctionRoute;
import dev.fermata.http.ManagementApi;
import dev.fermata.http.ManagementApiOptions;
import dev.fermata.internal.host.AnnotatedFunctions;
import dev.fermata.internal.host.StoreSelection;
import dev.fermata.internal.host.TimerTriggers;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Fermata host: an engine on the configured store, with the Durable Functions management API,
 * the user's HTTP functions and timer functions, served over HTTP.
 *
 * <pre>{@code
 * try (FermataHost host = FermataHost.builder(HostConfigLoader.load(Path.of("fermata.json"), System.getenv()))
 *         .register(new OrderFunctions())     // @Orchestrator, @Activity, @HttpTrigger, @TimerTrigger
 *         .build()
 *         .start()) {
 *   // serving on http://127.0.0.1:7071 until closed
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops gracefully: HTTP stops taking requests, running activities get the
 * shutdown grace period to finish, and the store is closed. Whatever did not finish resumes at the
 * next start.
 */
public final class FermataHost implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FermataHost.class);

  private final HostConfig config;
  private final Fermata fermata;
  private final List<HttpFunctionRoute> httpRoutes;
  private final TimerTriggers timers;
  private final List<TimerTriggers.Trigger> triggerList;
  private final List<AutoCloseable> closeAfterStop;
  private final SidecarWorkItems sidecarWork;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private ManagementApi api;
  private SidecarServer sidecar;
  private boolean closed;
  private final HostTracing tracing; // null: no spans recorded

  private FermataHost(Builder b) {
    this.config = b.config;
    this.httpRoutes = List.copyOf(b.httpRoutes);
    this.triggerList = List.copyOf(b.timers);
    this.closeAfterStop = List.copyOf(b.closeAfterStop);
    this.tracing = b.tracing;
    this.timers = new TimerTriggers(triggerList, config.timeZone());
    Fermata.Builder engine =
        Fermata.builder()
            .clock(b.clock)
            .maxConcurrentActivities(config.maxConcurrentActivityFunctions())
            .maxConcurrentOrchestrations(config.maxConcurrentOrchestratorFunctions())
            .shutdownGracePeriod(config.shutdownGracePeriod())
            .retention(config.retention())
            .meterRegistry(metrics);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    new UptimeMetrics().bindTo(metrics);
    if (config.orchestratorBlockingLimit() != null) {
      engine.orchestratorBlockingLimit(config.orchestratorBlockingLimit());
    }
    engine.defaultVersion(config.defaultVersion());
    if (config.maxEntityOperationBatchSize() != null) {
      engine.maxEntityOperationBatchSize(config.maxEntityOperationBatchSize());
    }
    if (config.instanceIdleTimeout() != null) {
      engine.instanceIdleTimeout(config.instanceIdleTimeout());
    }
    // With the sidecar protocol on, what the host has no code for runs in SDK workers.
    this.sidecarWork = config.grpcPort() == null ? null : new SidecarWorkItems(b.clock);
    if (sidecarWork != null) {
      engine.remoteWorkers(sidecarWork);
    }
    b.engineSteps.forEach(step -> step.accept(engine));
    timers.register(engine);
    // The store is opened last, so a mistake in the functions does not leave it half open.
    engine.store(StoreSelection.open(config));
    this.fermata = engine.build();
    timers.attach(fermata);
  }

  /** A builder for a host with this configuration. */
  public static Builder builder(HostConfig config) {
    return new Builder(config);
  }

  /**
   * Opens the store, binds HTTP, then starts the engine's workers and the timers. The store (for
   * SQLite, the file's lock) and the port are taken before anything runs: if either cannot be had,
   * no orchestration, activity or timer runs and the store is closed again.
   *
   * @throws dev.fermata.FermataException if the store cannot be opened (for SQLite: also if another
   *     process has the file; the message names it and the holder)
   * @throws UncheckedIOException if the HTTP address, or the gRPC port, cannot be bound
   */
  public synchronized FermataHost start() {
    try {
      fermata.openStore();
    } catch (RuntimeException e) {
      fermata.close();
      throw e;
    }
    try {
      api =
          ManagementApi.start(
              fermata,
              new ManagementApiOptions(
                  config.bindAddress(),
                  config.port(),
                  config.maxRequestBodySize(),
                  config.managementKey(),
                  config.publicBaseUrl()),
              httpRoutes,
              metrics::scrape);
    } catch (IOException e) {
      fermata.close();
      throw new UncheckedIOException(
          "Cannot listen on " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage(),
          e);
    }
    if (sidecarWork != null) {
      try {
        sidecar =
            SidecarServer.start(
                fermata,
                sidecarWork,
                config.bindAddress(),
                config.grpcPort(),
                config.managementKey());
      } catch (RuntimeException e) {
        api.close();
        fermata.close();
        throw e;
      }
    }
    fermata.start();
    timers.claimNextOccurrences();
    return this;
  }

  /** How the host traces, for the banner; empty when it records no spans. */
  public java.util.Optional<String> tracing() {
    return java.util.Optional.ofNullable(tracing).map(HostTracing::summary);
  }

  public HostConfig config() {
    return config;
  }

  /** The engine (its client, store and registered names). */
  public Fermata fermata() {
    return fermata;
  }

  /** The port HTTP listens on (the bound one when configured as 0). */
  public int port() {
    return api.port();
  }

  /** The port the Durable Task sidecar protocol is served on, if it is. */
  public OptionalInt grpcPort() {
    return sidecar == null ? OptionalInt.empty() : OptionalInt.of(sidecar.port());
  }

  /** {@code http://address:port} as bound: {@code 0.0.0.0} when listening on every interface. */
  public String listenUrl() {
    return "http://" + api.listenAddress();
  }

  /** {@code http://address:port}, as clients on this machine reach the host. */
  public String baseUrl() {
    String host = config.bindAddress();
    if (host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port();
  }

  public List<HttpFunctionRoute> httpFunctions() {
    return httpRoutes;
  }

  /** Timer functions as name → schedule. */
  public java.util.Map<String, String> timerFunctions() {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    triggerList.forEach(t -> out.put(t.name(), t.schedule().toString()));
    return out;
  }

  /** How many timer occurrences this host ran since it started. */
  public long timerRuns() {
    return timers.ranCount();
  }

  /** Stops gracefully; see the class description. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (api != null) {
      log.info("Stopping: HTTP closed to new requests");
      api.close();
    }
    log.info(
        "Stopping: waiting up to {} s for running work, then closing the store",
        config.shutdownGracePeriod().toSeconds());
    fermata.close();
    if (sidecar != null) {
      // After the engine: connected SDK workers could finish the work they held until now.
      sidecar.close();
    }
    metrics.close();
    if (tracing != null) {
      tracing.sdk().close(); // exports what the engine recorded last
    }
    // The functions' own resources go last: running activities may have used them until now.
    for (AutoCloseable resource : closeAfterStop.reversed()) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("Closing {} failed: {}", resource, e.toString());
      }
    }
    log.info("Stopped");
  }

  /** Collects the functions of a host. */
  public static final class Builder {
    private final HostConfig config;
    private final List<Consumer<Fermata.Builder>> engineSteps = new ArrayList<>();
    private final List<HttpFunctionRoute> httpRoutes = new ArrayList<>();
    private final List<TimerTriggers.Trigger> timers = new ArrayList<>();
    private final List<AutoCloseable> closeAfterStop = new ArrayList<>();
    private InstantSource clock = InstantSource.system();
    private HostTracing tracing;

    private Builder(HostConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Registers the annotated methods of {@code functions} (see {@code dev.fermata.annotations}).
     */
    public Builder register(Object functions) {
      Objects.requireNonNull(functions, "functions");
      if (functions instanceof Class<?> type) {
        return register(instantiate(type));
      }
      AnnotatedFunctions found = AnnotatedFunctions.of(functions);
      found.orchestrators.forEach(this::orchestrator);
      found.activities.forEach(this::activity);
      httpRoutes.addAll(found.httpRoutes);
      found.timers.forEach(t -> timer(t.name(), t.schedule(), t.function()));
      return this;
    }

    private static Object instantiate(Class<?> type) {
      try {
        var constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
      } catch (NoSuchMethodException e) {
        throw new IllegalArgumentException(
            "Class "
                + type.getName()
                + " needs a constructor without parameters to be registered by class; or"
                + " register an instance");
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException("Cannot create " + type.getName() + ": " + e, e);
      }
    }

    /** Applies a function module. */
    public Builder module(FunctionModule module) {
      module.register(this);
      return this;
    }

    /** Configures the engine directly, for example to register lambdas. */
    public Builder engine(Consumer<Fermata.Builder> step) {
      engineSteps.add(Objects.requireNonNull(step, "step"));
      return this;
    }

    public Builder orchestrator(String name, Orchestrator orchestrator) {
      return engine(b -> b.orchestrator(name, orchestrator));
    }

    public Builder activity(String name, Activity activity) {
      return engine(b -> b.activity(name, activity));
    }

    /** An HTTP function at {@code /api/{route}} for {@code methods}. */
    public Builder http(String name, String route, List<String> methods, HttpFunction function) {
      httpRoutes.add(new HttpFunctionRoute(name, route, methods, function));
      return this;
    }

    /**
     * A timer function on an NCRONTAB schedule.
     *
     * @throws IllegalArgumentException if the schedule or the name is invalid
     */
    public Builder timer(String name, String schedule, TimerFunction function) {
      Objects.requireNonNull(function, "function");
      NcrontabSchedule parsed;
      try {
        parsed = NcrontabSchedule.parse(schedule);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Timer function '" + name + "': " + e.getMessage(), e);
      }
      if (timers.stream().anyMatch(t -> t.name().equals(name))) {
        throw new IllegalArgumentException(
            "A timer function named '" + name + "' is already registered");
      }
      timers.add(new TimerTriggers.Trigger(name, parsed, function));
      return this;
    }

    /**
     * Closes {@code resource} (a server, a connection the functions use) when the host closes,
     * after the engine stopped; resources are closed in the reverse order of these calls.
     */
    public Builder closeOnStop(AutoCloseable resource) {
      closeAfterStop.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    /**
     * Records the engine's spans into {@code tracing}'s OpenTelemetry (see {@link
     * HostTracing#fromEnvironment}), which the host closes, flushing its last spans, when it stops.
     */
    public Builder tracing(HostTracing tracing) {
      this.tracing = Objects.requireNonNull(tracing, "tracing");
      engineSteps.add(engine -> engine.openTelemetry(tracing.sdk()));
      return this;
    }

    /** The clock of the engine and the timers (tests may pass one they control). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the host and opens (without starting) its store.
     *
     * @throws IllegalArgumentException if a function is invalid or the store settings are wrong
     */
    public FermataHost build() {
      return new FermataHost(this);
    }
  }
}
