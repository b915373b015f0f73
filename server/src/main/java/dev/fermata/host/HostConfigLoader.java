package dev.fermata.host;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.http.ManagementApiOptions;
import dev.fermata.spi.TimeSpans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link HostConfig} from a host.json-shaped file and environment variables.
 *
 * <pre>{@code
 * {
 *   "extensions": { "durableTask": {
 *     "hubName": "Orders",
 *     "storageProvider": { "type": "sqlite", "path": "fermata-data/fermata.db" },
 *     "maxConcurrentActivityFunctions": 20,
 *     "maxConcurrentOrchestratorFunctions": 20,
 *     "maxEntityOperationBatchSize": 1000,
 *     "extendedSessionIdleTimeoutInSeconds": 30,
 *     "retention": "30.00:00:00" } },
 *   "http": { "bindAddress": "127.0.0.1", "port": 7071, "managementKey": null,
 *             "publicBaseUrl": null, "maxRequestBodySize": 1048576 },
 *   "grpc": { "port": 4001 },
 *   "timeZone": "UTC",
 *   "shutdownGracePeriod": "00:00:30"
 * }
 * }</pre>
 *
 * <p>Each setting can be overridden by an environment variable named {@code FERMATA_} followed by
 * its path without {@code extensions}, in upper case, joined by {@code _}: {@code
 * FERMATA_DURABLETASK_HUBNAME}, {@code FERMATA_DURABLETASK_STORAGEPROVIDER_PATH}, {@code
 * FERMATA_HTTP_PORT}, {@code FERMATA_TIMEZONE}. Names in the file are matched case-insensitively,
 * as in host.json. Anything invalid is refused with an {@link InvalidConfigException} naming the
 * setting and the values it accepts.
 */
public final class HostConfigLoader {
  /** The file read from the working directory when no path is given. */
  public static final Path DEFAULT_FILE = Path.of("fermata.json");

  /** A Durable Functions app's file, read from the working directory when there is no other. */
  public static final Path HOST_JSON = Path.of("host.json");

  private static final String DT = "extensions.durableTask.";
  private static final String STORAGE = DT + "storageProvider.";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Every setting with its default (as text, null = none). Order = documentation order. */
  private static final Map<String, String> SETTINGS = new LinkedHashMap<>();

  static {
    SETTINGS.put("version", null);
    SETTINGS.put(DT + "hubName", HostConfig.DEFAULT_HUB_NAME);
    SETTINGS.put(STORAGE + "type", "sqlite");
    SETTINGS.put(DT + "maxConcurrentActivityFunctions", "" + HostConfig.DEFAULT_CONCURRENCY);
    SETTINGS.put(DT + "maxConcurrentOrchestratorFunctions", "" + HostConfig.DEFAULT_CONCURRENCY);
    SETTINGS.put(DT + "retention", null);
    SETTINGS.put(DT + "maxEntityOperationBatchSize", null);
    SETTINGS.put(DT + "extendedSessionIdleTimeoutInSeconds", null);
    SETTINGS.put(DT + "orchestratorBlockingLimit", null);
    SETTINGS.put(DT + "defaultVersion", null);
    SETTINGS.put("http.bindAddress", "127.0.0.1");
    SETTINGS.put("http.port", "7071");
    SETTINGS.put("http.managementKey", null);
    SETTINGS.put("http.publicBaseUrl", null);
    SETTINGS.put("http.maxRequestBodySize", "" + (1024 * 1024));
    SETTINGS.put("grpc.port", "4001");
    SETTINGS.put("timeZone", "UTC");
    SETTINGS.put("shutdownGracePeriod", "00:00:30");
  }

  /**
   * host.json settings Fermata accepts but does not implement: each is a setting or a whole
   * section, named once in a warning when a file has it.
   */
  private static final List<String> IGNORED =
      List.of(
          "logging",
          "extensionBundle",
          "functionTimeout",
          "aggregator",
          "concurrency",
          "customHandler",
          "functions",
          "healthMonitor",
          "languageWorkers",
          "managedDependency",
          "retry",
          "singleton",
          "telemetryMode",
          "watchDirectories",
          "watchFiles",
          DT + "maxConcurrentEntityFunctions",
          DT + "extendedSessionsEnabled",
          DT + "maxOrchestrationActions",
          DT + "overridableExistingInstanceStates",
          DT + "entityMessageReorderWindowInMinutes",
          DT + "rollbackEntityOperationsOnExceptions",
          DT + "throwStatusExceptionsOnRaiseEvent",
          DT + "storeInputsInOrchestrationHistory",
          DT + "useAppLease",
          DT + "useGracefulShutdown",
          DT + "localRpcEndpointEnabled",
          DT + "maxGrpcMessageSizeInBytes",
          DT + "grpcHttpClientTimeout",
          DT + "httpSettings",
          DT + "tracing",
          DT + "notifications",
          DT + "versioning",
          DT + "versionMatchStrategy",
          DT + "versionFailureStrategy");

  private static final Logger log = LoggerFactory.getLogger(HostConfigLoader.class);

  private HostConfigLoader() {}

  /**
   * Finds and reads the configuration for a host process: {@code file} (from {@code --config}; null
   * if not given), else the file named by {@code FERMATA_CONFIG}, else {@code ./fermata.json} if
   * present, else {@code ./host.json} if present, else defaults; then the environment.
   */
  public static HostConfig fromEnvironment(Path file, Map<String, String> env) {
    return fromEnvironment(file, env, Path.of(""));
  }

  /** As {@link #fromEnvironment(Path, Map)}, looking for the default files in {@code dir}. */
  static HostConfig fromEnvironment(Path file, Map<String, String> env, Path dir) {
    if (file == null) {
      String named = env.get("FERMATA_CONFIG");
      if (named != null && !named.isBlank()) {
        file = Path.of(named);
      } else if (Files.exists(dir.resolve(DEFAULT_FILE))) {
        file = dir.resolve(DEFAULT_FILE);
      } else if (Files.exists(dir.resolve(HOST_JSON))) {
        file = dir.resolve(HOST_JSON);
      }
    }
    return load(file, env);
  }

  /**
   * Reads {@code file} (null for none) and applies the {@code FERMATA_*} variables of {@code env}.
   *
   * @throws InvalidConfigException naming the setting that is wrong and what it accepts
   */
  public static HostConfig load(Path file, Map<String, String> env) {
    return load(file, env, log::warn);
  }

  /** As {@link #load(Path, Map)}, giving the one warning about ignored settings to {@code warn}. */
  static HostConfig load(Path file, Map<String, String> env, Consumer<String> warn) {
    Map<String, String> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Map<String, String> storage = new LinkedHashMap<>();
    if (file != null) {
      List<String> ignored = new ArrayList<>();
      readFile(file, values, storage, ignored);
      if (!ignored.isEmpty()) {
        warn.accept(
            file
                + ": Fermata does not implement these host.json settings and ignores them: "
                + String.join(", ", ignored));
      }
    }
    applyEnvironment(env, values, storage);
    return build(values, storage, file);
  }

  private static void readFile(
      Path file, Map<String, String> values, Map<String, String> storage, List<String> ignored) {
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException("The configuration file " + file + " does not exist");
    } catch (IOException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
      throw new InvalidConfigException(
          "The configuration file " + file + " is not valid JSON: " + msg);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidConfigException(
          "The configuration file " + file + " must hold a JSON object, like host.json");
    }
    flatten("", root, values, storage, ignored);
  }

  private static void flatten(
      String prefix,
      JsonNode node,
      Map<String, String> values,
      Map<String, String> storage,
      List<String> ignored) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String path = prefix + field.getKey();
      JsonNode value = field.getValue();
      boolean inStorage = path.regionMatches(true, 0, STORAGE, 0, STORAGE.length());
      String skipped =
          IGNORED.stream().filter(s -> s.equalsIgnoreCase(path)).findFirst().orElse(null);
      if (skipped != null) {
        ignored.add(skipped);
      } else if (value.isObject()) {
        if (!isKnownSection(path + ".")) {
          throw unknown(path);
        }
        flatten(path + ".", value, values, storage, ignored);
      } else if (inStorage && !path.equalsIgnoreCase(STORAGE + "type")) {
        storage.put(path.substring(STORAGE.length()), scalar(path, value));
      } else if (canonical(path) == null) {
        throw unknown(path);
      } else {
        values.put(canonical(path), value.isNull() ? null : scalar(path, value));
      }
    }
  }

  private static boolean isKnownSection(String prefix) {
    if (prefix.regionMatches(true, 0, STORAGE, 0, STORAGE.length())) {
      return prefix.length() == STORAGE.length();
    }
    return Stream.concat(SETTINGS.keySet().stream(), IGNORED.stream())
        .anyMatch(s -> s.regionMatches(true, 0, prefix, 0, prefix.length()));
  }

  private static String canonical(String path) {
    return SETTINGS.keySet().stream()
        .filter(s -> s.equalsIgnoreCase(path))
        .findFirst()
        .orElse(null);
  }

  private static String scalar(String path, JsonNode value) {
    if (value.isArray() || value.isObject()) {
      throw new InvalidConfigException(
          "Setting '" + path + "' must be a single value (text, number or true/false)");
    }
    return value.isNull() ? null : value.asText();
  }

  private static InvalidConfigException unknown(String path) {
    return new InvalidConfigException(
        "Unknown setting '"
            + path
            + "'; the known settings are "
            + SETTINGS.keySet()
            + ", the store's own settings under "
            + STORAGE
            + "* and these host.json settings, accepted but ignored: "
            + IGNORED);
  }

  /** FERMATA_ + path without "extensions", upper case, dots as underscores. */
  public static String environmentName(String setting) {
    String path = setting.startsWith("extensions.") ? setting.substring(11) : setting;
    return "FERMATA_" + path.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  private static void applyEnvironment(
      Map<String, String> env, Map<String, String> values, Map<String, String> storage) {
    for (String setting : SETTINGS.keySet()) {
      String v = env.get(environmentName(setting));
      if (v != null) {
        // An empty variable turns off what may be off: the management key, the gRPC port.
        boolean off =
            v.isEmpty() && (setting.equals("http.managementKey") || setting.equals("grpc.port"));
        values.put(setting, off ? null : v);
      }
    }
    String storagePrefix = environmentName(STORAGE);
    String typeVar = environmentName(STORAGE + "type");
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (name.startsWith(storagePrefix) && !name.equals(typeVar)) {
        // The store's setting names are its own; keep the variable's spelling in lower case and
        // let the store factory match it against the names it knows.
        storage.put(name.substring(storagePrefix.length()), e.getValue());
      }
    }
  }

  private static HostConfig build(
      Map<String, String> values, Map<String, String> storage, Path file) {
    Function<String, String> get = s -> values.containsKey(s) ? values.get(s) : SETTINGS.get(s);
    String hub = get.apply(DT + "hubName");
    if (hub == null || !hub.matches("[A-Za-z][A-Za-z0-9]{2,44}")) {
      throw new InvalidConfigException(
          "Setting '"
              + DT
              + "hubName' must be 3 to 45 letters or digits starting with a letter, got '"
              + hub
              + "'");
    }
    String type = get.apply(STORAGE + "type");
    if (type == null || type.isBlank()) {
      throw new InvalidConfigException("Setting '" + STORAGE + "type' must name a store");
    }
    String key = get.apply("http.managementKey");
    if (key != null && key.isBlank()) {
      throw new InvalidConfigException(
          "Setting 'http.managementKey' must be null (no key) or a non-blank key");
    }
    return new HostConfig(
        hub,
        type.trim().toLowerCase(Locale.ROOT),
        storage,
        integer(get, DT + "maxConcurrentActivityFunctions", 1, 10_000),
        integer(get, DT + "maxConcurrentOrchestratorFunctions", 1, 10_000),
        bindAddress(get.apply("http.bindAddress")),
        integer(get, "http.port", 0, 65535),
        key,
        publicBaseUrl(get.apply("http.publicBaseUrl")),
        integer(get, "http.maxRequestBodySize", 1024, 1024 * 1024 * 1024),
        zone(get.apply("timeZone")),
        duration(get, "shutdownGracePeriod"),
        retention(get),
        get.apply(DT + "maxEntityOperationBatchSize") == null
            ? null
            : integer(get, DT + "maxEntityOperationBatchSize", 1, 1_000_000),
        get.apply(DT + "extendedSessionIdleTimeoutInSeconds") == null
            ? null
            : Duration.ofSeconds(
                integer(get, DT + "extendedSessionIdleTimeoutInSeconds", 1, 86_400)),
        get.apply("grpc.port") == null ? null : integer(get, "grpc.port", 0, 65535),
        get.apply(DT + "orchestratorBlockingLimit") == null
            ? null
            : duration(get, DT + "orchestratorBlockingLimit"),
        blankAsNull(get.apply(DT + "defaultVersion")));
  }

  /** Off when not set; otherwise a positive time span. */
  private static Duration retention(Function<String, String> get) {
    String setting = DT + "retention";
    if (get.apply(setting) == null) {
      return null;
    }
    Duration retention = duration(get, setting);
    if (!retention.isPositive()) {
      throw new InvalidConfigException(
          "Setting '"
              + setting
              + "' (or "
              + environmentName(setting)
              + ") must be a positive time span such as \"30.00:00:00\" (30 days), or null to keep"
              + " finished instances, got '"
              + get.apply(setting)
              + "'");
    }
    return retention;
  }

  private static int integer(Function<String, String> get, String setting, int min, int max) {
    String v = get.apply(setting);
    try {
      if (v != null) {
        int n = Integer.parseInt(v.trim());
        if (n >= min && n <= max) {
          return n;
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidConfigException(
        "Setting '"
            + setting
            + "' (or "
            + environmentName(setting)
            + ") must be a whole number from "
            + min
            + " to "
            + max
            + ", got "
            + (v == null ? "nothing" : "'" + v + "'"));
  }

  private static String bindAddress(String v) {
    if (v == null || !v.matches("[A-Za-z0-9.:\\-\\[\\]]{1,255}")) {
      throw new InvalidConfigException(
          "Setting 'http.bindAddress' must be an IP address or host name such as 127.0.0.1"
              + " (loopback) or 0.0.0.0 (every interface), got '"
              + v
              + "'");
    }
    return v;
  }

  private static String blankAsNull(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static String publicBaseUrl(String v) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return ManagementApiOptions.checkPublicBaseUrl(v);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(
          "Setting 'http.publicBaseUrl' (or "
              + environmentName("http.publicBaseUrl")
              + ") "
              + e.getMessage());
    }
  }

  private static ZoneId zone(String v) {
    try {
      return ZoneId.of(v == null ? "" : v.trim());
    } catch (DateTimeException e) {
      throw new InvalidConfigException(
          "Setting 'timeZone' must be a time zone id such as UTC, Europe/Paris or"
              + " America/New_York, got '"
              + v
              + "'");
    }
  }

  private static Duration duration(Function<String, String> get, String setting) {
    try {
      return TimeSpans.parse("Setting '" + setting + "'", get.apply(setting));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(e.getMessage());
    }
  }
}
