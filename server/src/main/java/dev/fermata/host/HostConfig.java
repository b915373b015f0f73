package dev.fermata.host;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The host's configuration, read by {@link HostConfigLoader} from a host.json-shaped file and
 * environment variables. See {@code docs/host.md} for every setting, its default and its variable.
 *
 * @param hubName the task hub's name
 * @param storageType the store, by the type name of its {@link dev.fermata.spi.StoreFactory}
 * @param storageSettings the store's own settings (path, connectionString, ...)
 * @param maxConcurrentActivityFunctions activities run at once
 * @param maxConcurrentOrchestratorFunctions orchestration episodes run at once
 * @param bindAddress the address HTTP listens on
 * @param port the HTTP port (0 picks a free one)
 * @param managementKey when not null, every HTTP request must carry it
 * @param publicBaseUrl when not null, the URL clients reach the host at; check-status URLs start
 *     with it
 * @param maxRequestBodySize the largest request body, in bytes
 * @param timeZone the zone timer schedules are read in
 * @param shutdownGracePeriod how long a stopping host waits for running activities
 * @param retention finished instances last updated longer ago than this are purged in the
 *     background; null keeps them
 * @param maxEntityOperationBatchSize entity operations per checkpoint at most; null for the
 *     engine's default
 * @param instanceIdleTimeout how long an idle instance stays in memory between episodes; null for
 *     the engine's default
 * @param grpcPort the port the Durable Task sidecar protocol is served on (0 picks a free one), on
 *     the HTTP bind address; null serves none
 * @param orchestratorBlockingLimit how long orchestrator code may run without awaiting a durable
 *     task (zero: no limit); null for the engine's default
 * @param defaultVersion the orchestration version of instances started without one; null for none
 */
public record HostConfig(
    String hubName,
    String storageType,
    Map<String, String> storageSettings,
    int maxConcurrentActivityFunctions,
    int maxConcurrentOrchestratorFunctions,
    String bindAddress,
    int port,
    String managementKey,
    String publicBaseUrl,
    int maxRequestBodySize,
    ZoneId timeZone,
    Duration shutdownGracePeriod,
    Duration retention,
    Integer maxEntityOperationBatchSize,
    Duration instanceIdleTimeout,
    Integer grpcPort,
    Duration orchestratorBlockingLimit,
    String defaultVersion) {

  public static final String DEFAULT_HUB_NAME = "TestHubName";
  public static final int DEFAULT_CONCURRENCY = 10 * Runtime.getRuntime().availableProcessors();

  public HostConfig {
    Objects.requireNonNull(hubName, "hubName");
    Objects.requireNonNull(storageType, "storageType");
    storageSettings = Map.copyOf(storageSettings);
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(timeZone, "timeZone");
    Objects.requireNonNull(shutdownGracePeriod, "shutdownGracePeriod");
  }

  /** Every default: SQLite at {@code fermata-data/fermata.db}, 127.0.0.1:7071, no key, UTC. */
  public static HostConfig defaults() {
    return HostConfigLoader.load(null, Map.of());
  }

  public HostConfig withPort(int newPort) {
    return edit(c -> c.port = newPort);
  }

  /** This configuration with the sidecar protocol on {@code newPort}, or off when null. */
  public HostConfig withGrpcPort(Integer newPort) {
    return edit(c -> c.grpcPort = newPort);
  }

  public HostConfig withStorage(String type, Map<String, String> settings) {
    return edit(
        c -> {
          c.storageType = type;
          c.storageSettings = settings;
        });
  }

  public HostConfig withManagementKey(String key) {
    return edit(c -> c.managementKey = key);
  }

  public HostConfig withTimeZone(ZoneId zone) {
    return edit(c -> c.timeZone = zone);
  }

  /** A copy with the changes {@code change} makes; one place names every component. */
  private HostConfig edit(Consumer<Components> change) {
    Components c = new Components(this);
    change.accept(c);
    return c.build();
  }

  /** The components, as fields to change one by one. */
  private static final class Components {
    String hubName;
    String storageType;
    Map<String, String> storageSettings;
    int maxConcurrentActivityFunctions;
    int maxConcurrentOrchestratorFunctions;
    String bindAddress;
    int port;
    String managementKey;
    String publicBaseUrl;
    int maxRequestBodySize;
    ZoneId timeZone;
    Duration shutdownGracePeriod;
    Duration retention;
    Integer maxEntityOperationBatchSize;
    Duration instanceIdleTimeout;
    Integer grpcPort;
    Duration orchestratorBlockingLimit;
    String defaultVersion;

    Components(HostConfig c) {
      hubName = c.hubName;
      storageType = c.storageType;
      storageSettings = c.storageSettings;
      maxConcurrentActivityFunctions = c.maxConcurrentActivityFunctions;
      maxConcurrentOrchestratorFunctions = c.maxConcurrentOrchestratorFunctions;
      bindAddress = c.bindAddress;
      port = c.port;
      managementKey = c.managementKey;
      publicBaseUrl = c.publicBaseUrl;
      maxRequestBodySize = c.maxRequestBodySize;
      timeZone = c.timeZone;
      shutdownGracePeriod = c.shutdownGracePeriod;
      retention = c.retention;
      maxEntityOperationBatchSize = c.maxEntityOperationBatchSize;
      instanceIdleTimeout = c.instanceIdleTimeout;
      grpcPort = c.grpcPort;
      orchestratorBlockingLimit = c.orchestratorBlockingLimit;
      defaultVersion = c.defaultVersion;
    }

    HostConfig build() {
      return new HostConfig(
          hubName,
          storageType,
          storageSettings,
          maxConcurrentActivityFunctions,
          maxConcurrentOrchestratorFunctions,
          bindAddress,
          port,
          managementKey,
          publicBaseUrl,
          maxRequestBodySize,
          timeZone,
          shutdownGracePeriod,
          retention,
          maxEntityOperationBatchSize,
          instanceIdleTimeout,
          grpcPort,
          orchestratorBlockingLimit,
          defaultVersion);
    }
  }
}
