package dev.fermata.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.internal.host.StoreSelection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostConfigLoaderTest {
  @TempDir Path dir;

  private Path file(String json) throws IOException {
    Path f = dir.resolve("fermata.json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  void noFile_givesTheDefaults() {
    HostConfig c = HostConfigLoader.load(null, Map.of());
    assertThat(c.hubName()).isEqualTo("TestHubName");
    assertThat(c.storageType()).isEqualTo("sqlite");
    assertThat(c.storageSettings()).isEmpty();
    assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(7071);
    assertThat(c.grpcPort()).isEqualTo(4001);
    assertThat(c.managementKey()).isNull();
    assertThat(c.maxRequestBodySize()).isEqualTo(1024 * 1024);
    assertThat(c.timeZone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(c.shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.maxConcurrentActivityFunctions())
        .isEqualTo(10 * Runtime.getRuntime().availableProcessors());
  }

  @Test
  void aHostJsonShapedFile_setsEverything_namesMatchedCaseInsensitively() throws IOException {
    HostConfig c =
        HostConfigLoader.load(
            file(
                """
                {"version": "2.0",
                 "extensions": {"durableTask": {
                   "hubName": "Orders",
                   "storageProvider": {"type": "sqlite", "path": "data/orders.db", "synchronous": "NORMAL"},
                   "MaxConcurrentActivityFunctions": 7,
                   "maxConcurrentOrchestratorFunctions": 3}},
                 "http": {"bindAddress": "0.0.0.0", "port": 8080, "managementKey": "s3cret",
                          "maxRequestBodySize": 4096},
                 "timeZone": "Europe/Paris",
                 "shutdownGracePeriod": "00:01:30"}
                """),
            Map.of());
    assertThat(c.hubName()).isEqualTo("Orders");
    assertThat(c.storageSettings())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("path", "data/orders.db", "synchronous", "NORMAL"));
    assertThat(c.maxConcurrentActivityFunctions()).isEqualTo(7);
    assertThat(c.maxConcurrentOrchestratorFunctions()).isEqualTo(3);
    assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.managementKey()).isEqualTo("s3cret");
    assertThat(c.maxRequestBodySize()).isEqualTo(4096);
    assertThat(c.timeZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(c.shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void environmentVariables_overrideTheFile() throws IOException {
    HostConfig c =
        HostConfigLoader.load(
            file(
                "{\"http\": {\"port\": 8080}, \"extensions\": {\"durableTask\": {\"hubName\": \"A\"}}}"
                    .replace("\"A\"", "\"Alpha\"")),
            Map.of(
                "FERMATA_HTTP_PORT", "9090",
                "FERMATA_DURABLETASK_HUBNAME", "Beta",
                "FERMATA_DURABLETASK_STORAGEPROVIDER_PATH", "env.db",
                "FERMATA_HTTP_MANAGEMENTKEY", "k",
                "FERMATA_TIMEZONE", "America/New_York",
                "UNRELATED", "x"));
    assertThat(c.port()).isEqualTo(9090);
    assertThat(c.hubName()).isEqualTo("Beta");
    assertThat(c.storageSettings()).containsEntry("PATH", "env.db");
    assertThat(c.managementKey()).isEqualTo("k");
    assertThat(c.timeZone()).isEqualTo(ZoneId.of("America/New_York"));
    assertThat(
            HostConfigLoader.environmentName(
                "extensions.durableTask.maxConcurrentActivityFunctions"))
        .isEqualTo("FERMATA_DURABLETASK_MAXCONCURRENTACTIVITYFUNCTIONS");
  }

  @Test
  void grpcPort_isSetOrTurnedOffByFileOrVariable() throws IOException {
    assertThat(HostConfigLoader.load(file("{\"grpc\": {\"port\": 0}}"), Map.of()).grpcPort())
        .isZero();
    assertThat(HostConfigLoader.load(file("{\"grpc\": {\"port\": null}}"), Map.of()).grpcPort())
        .isNull();
    assertThat(HostConfigLoader.load(null, Map.of("FERMATA_GRPC_PORT", "5001")).grpcPort())
        .isEqualTo(5001);
    assertThat(HostConfigLoader.load(null, Map.of("FERMATA_GRPC_PORT", "")).grpcPort()).isNull();
    assertThatThrownBy(() -> HostConfigLoader.load(null, Map.of("FERMATA_GRPC_PORT", "70000")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("'grpc.port'");
  }

  @Test
  void storeSettingsFromTheEnvironment_reachTheStoreUnderItsOwnSpelling() {
    HostConfig c =
        HostConfigLoader.load(
            null,
            Map.of("FERMATA_DURABLETASK_STORAGEPROVIDER_PATH", dir.resolve("e.db").toString()));
    var store = (dev.fermata.sqlite.SqliteStore) StoreSelection.open(c);
    assertThat(store.options().path()).isEqualTo(dir.resolve("e.db"));
  }

  @Test
  void configFileIsFoundByOptionOrVariable() throws IOException {
    Path f = file("{\"http\": {\"port\": 1234}}");
    assertThat(HostConfigLoader.fromEnvironment(f, Map.of()).port()).isEqualTo(1234);
    assertThat(
            HostConfigLoader.fromEnvironment(null, Map.of("FERMATA_CONFIG", f.toString())).port())
        .isEqualTo(1234);
    assertThatThrownBy(() -> HostConfigLoader.fromEnvironment(dir.resolve("nope.json"), Map.of()))
        .hasMessageContaining("nope.json does not exist");
  }

  @Test
  void badJson_isNamed() throws IOException {
    Path f = file("{\"http\": {\"port\": 80,}");
    assertThatThrownBy(() -> HostConfigLoader.load(f, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("is not valid JSON");
    Path array = file("[1]");
    assertThatThrownBy(() -> HostConfigLoader.load(array, Map.of()))
        .hasMessageContaining("must hold a JSON object");
  }

  @Test
  void unknownKeys_areRefused_listingTheKnownOnes() throws IOException {
    Path f = file("{\"http\": {\"prot\": 80}}");
    assertThatThrownBy(() -> HostConfigLoader.load(f, Map.of()))
        .hasMessageContaining("Unknown setting 'http.prot'")
        .hasMessageContaining("http.port");
    Path g = file("{\"extensions\": {\"durableTask\": {\"hubname\": \"Abc\", \"tracng\": {}}}}");
    assertThatThrownBy(() -> HostConfigLoader.load(g, Map.of()))
        .hasMessageContaining("Unknown setting 'extensions.durableTask.tracng'")
        .hasMessageContaining("extensions.durableTask.tracing");
    Path h = file("{\"extensions\": {\"durableTask\": {\"maxEntityOperationBatchSzie\": 5}}}");
    assertThatThrownBy(() -> HostConfigLoader.load(h, Map.of()))
        .hasMessageContaining(
            "Unknown setting 'extensions.durableTask.maxEntityOperationBatchSzie'")
        .hasMessageContaining("extensions.durableTask.maxEntityOperationBatchSize")
        .hasMessageContaining("extensions.durableTask.maxConcurrentActivityFunctions");
  }

  @Test
  void aDurableFunctionsHostJson_loads_appliesWhatFermataImplements_warnsOnceAboutTheRest()
      throws IOException {
    Path f =
        file(
            """
            {
              "version": "2.0",
              "logging": {
                "applicationInsights": {
                  "samplingSettings": {"isEnabled": true, "excludedTypes": "Request"}},
                "logLevel": {"default": "Information", "Host.Triggers.DurableTask": "Warning"}
              },
              "extensionBundle": {
                "id": "Microsoft.Azure.Functions.ExtensionBundle",
                "version": "[4.*, 5.0.0)"
              },
              "functionTimeout": "00:10:00",
              "extensions": {
                "durableTask": {
                  "hubName": "OrdersHub",
                  "storageProvider": {"type": "sqlite", "path": "data/orders.db"},
                  "maxConcurrentActivityFunctions": 12,
                  "maxConcurrentOrchestratorFunctions": 6,
                  "maxEntityOperationBatchSize": 50,
                  "extendedSessionsEnabled": true,
                  "extendedSessionIdleTimeoutInSeconds": 45,
                  "tracing": {"traceInputsAndOutputs": false, "distributedTracingEnabled": true},
                  "notifications": {"eventGrid": {"topicEndpoint": "https://example.invalid"}}
                }
              }
            }
            """);
    List<String> warnings = new java.util.ArrayList<>();
    HostConfig c = HostConfigLoader.load(f, Map.of(), warnings::add);
    assertThat(c.hubName()).isEqualTo("OrdersHub");
    assertThat(c.storageSettings()).containsExactly(Map.entry("path", "data/orders.db"));
    assertThat(c.maxConcurrentActivityFunctions()).isEqualTo(12);
    assertThat(c.maxConcurrentOrchestratorFunctions()).isEqualTo(6);
    assertThat(c.maxEntityOperationBatchSize()).isEqualTo(50);
    assertThat(c.instanceIdleTimeout()).isEqualTo(Duration.ofSeconds(45));
    // ... and the host hands them to the engine.
    try (FermataHost host =
        FermataHost.builder(c.withStorage("sqlite", Map.of("path", dir.resolve("h.db").toString())))
            .build()) {
      var settings = host.fermata().settings();
      assertThat(settings.maxConcurrentActivities()).isEqualTo(12);
      assertThat(settings.maxConcurrentOrchestrations()).isEqualTo(6);
      assertThat(settings.maxEntityOperationBatchSize()).isEqualTo(50);
      assertThat(settings.instanceIdleTimeout()).isEqualTo(Duration.ofSeconds(45));
    }
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0))
        .contains(
            "logging",
            "extensionBundle",
            "functionTimeout",
            "extensions.durableTask.extendedSessionsEnabled",
            "extensions.durableTask.tracing",
            "extensions.durableTask.notifications")
        .doesNotContain("hubName", "maxEntityOperationBatchSize", "version");
    // Nothing to ignore, nothing to warn about; the engine's defaults stay when not set.
    warnings.clear();
    HostConfig plain =
        HostConfigLoader.load(file("{\"version\": \"2.0\"}"), Map.of(), warnings::add);
    assertThat(warnings).isEmpty();
    assertThat(plain.maxEntityOperationBatchSize()).isNull();
    assertThat(plain.instanceIdleTimeout()).isNull();
    assertThat(
            HostConfigLoader.load(
                    null, Map.of("FERMATA_DURABLETASK_MAXENTITYOPERATIONBATCHSIZE", "7"))
                .maxEntityOperationBatchSize())
        .isEqualTo(7);
    assertThatThrownBy(
            () ->
                HostConfigLoader.load(
                    file(
                        "{\"extensions\": {\"durableTask\":"
                            + " {\"maxEntityOperationBatchSize\": 0}}}"),
                    Map.of()))
        .hasMessageContaining("'extensions.durableTask.maxEntityOperationBatchSize'")
        .hasMessageContaining("from 1 to");
  }

  @Test
  void aHostJsonInTheWorkingDirectory_isReadWhenThereIsNoFermataJson() throws IOException {
    Path app = Files.createDirectories(dir.resolve("app"));
    Files.writeString(
        app.resolve("host.json"),
        "{\"version\": \"2.0\", \"extensions\": {\"durableTask\": {\"hubName\": \"FromHost\"}}}");
    assertThat(HostConfigLoader.fromEnvironment(null, Map.of(), app).hubName())
        .isEqualTo("FromHost");
    Files.writeString(
        app.resolve("fermata.json"),
        "{\"extensions\": {\"durableTask\": {\"hubName\": \"FromFermata\"}}}");
    assertThat(HostConfigLoader.fromEnvironment(null, Map.of(), app).hubName())
        .isEqualTo("FromFermata");
  }

  @Test
  void wrongTypesAndOutOfRangeNumbers_nameTheSettingAndTheRange() throws IOException {
    assertThatThrownBy(
            () -> HostConfigLoader.load(file("{\"http\": {\"port\": \"eighty\"}}"), Map.of()))
        .hasMessageContaining("'http.port'")
        .hasMessageContaining("FERMATA_HTTP_PORT")
        .hasMessageContaining("from 0 to 65535")
        .hasMessageContaining("'eighty'");
    assertThatThrownBy(() -> HostConfigLoader.load(null, Map.of("FERMATA_HTTP_PORT", "70000")))
        .hasMessageContaining("from 0 to 65535");
    assertThatThrownBy(
            () ->
                HostConfigLoader.load(
                    file(
                        "{\"extensions\": {\"durableTask\": {\"maxConcurrentActivityFunctions\": 0}}}"),
                    Map.of()))
        .hasMessageContaining("maxConcurrentActivityFunctions")
        .hasMessageContaining("from 1 to 10000");
    assertThatThrownBy(() -> HostConfigLoader.load(file("{\"http\": {\"port\": [1]}}"), Map.of()))
        .hasMessageContaining("'http.port' must be a single value");
  }

  @Test
  void retention_isOffByDefault_andSetByTheFileOrTheEnvironment() throws IOException {
    assertThat(HostConfigLoader.load(null, Map.of()).retention()).isNull();
    Path withRetention =
        file("{\"extensions\": {\"durableTask\": {\"retention\": \"7.00:00:00\"}}}");
    assertThat(HostConfigLoader.load(withRetention, Map.of()).retention())
        .isEqualTo(Duration.ofDays(7));
    assertThat(
            HostConfigLoader.load(
                    withRetention, Map.of("FERMATA_DURABLETASK_RETENTION", "12:00:00"))
                .retention())
        .isEqualTo(Duration.ofHours(12));
    assertThat(
            HostConfigLoader.load(
                    file("{\"extensions\": {\"durableTask\": {\"retention\": null}}}"), Map.of())
                .retention())
        .isNull();

    HostConfig config =
        HostConfigLoader.load(null, Map.of("FERMATA_DURABLETASK_RETENTION", "1.00:00:00"))
            .withStorage("sqlite", Map.of("path", dir.resolve("host.db").toString()));
    try (FermataHost host = FermataHost.builder(config).build()) {
      assertThat(host.fermata().settings().retention()).isEqualTo(Duration.ofDays(1));
    }
  }

  @Test
  void defaultVersion_isNoneByDefault_andSetByTheFileOrTheEnvironment() throws IOException {
    assertThat(HostConfigLoader.load(null, Map.of()).defaultVersion()).isNull();
    Path withVersion = file("{\"extensions\": {\"durableTask\": {\"defaultVersion\": \"1.2\"}}}");
    assertThat(HostConfigLoader.load(withVersion, Map.of()).defaultVersion()).isEqualTo("1.2");
    HostConfig fromEnvironment =
        HostConfigLoader.load(withVersion, Map.of("FERMATA_DURABLETASK_DEFAULTVERSION", "2.0"))
            .withStorage("sqlite", Map.of("path", dir.resolve("version.db").toString()));
    assertThat(fromEnvironment.defaultVersion()).isEqualTo("2.0");
    try (FermataHost host = FermataHost.builder(fromEnvironment).build()) {
      assertThat(host.fermata().settings().defaultVersion()).isEqualTo("2.0");
    }
  }

  @Test
  void orchestratorBlockingLimit_isTheEnginesByDefault_andSetByTheFileOrTheEnvironment()
      throws IOException {
    assertThat(HostConfigLoader.load(null, Map.of()).orchestratorBlockingLimit()).isNull();
    Path withLimit =
        file("{\"extensions\": {\"durableTask\": {\"orchestratorBlockingLimit\": \"00:00:05\"}}}");
    assertThat(HostConfigLoader.load(withLimit, Map.of()).orchestratorBlockingLimit())
        .isEqualTo(Duration.ofSeconds(5));
    HostConfig off =
        HostConfigLoader.load(
                withLimit, Map.of("FERMATA_DURABLETASK_ORCHESTRATORBLOCKINGLIMIT", "00:00:00"))
            .withStorage("sqlite", Map.of("path", dir.resolve("limit.db").toString()));
    assertThat(off.orchestratorBlockingLimit()).isZero();
    try (FermataHost host = FermataHost.builder(off).build()) {
      assertThat(host.fermata().settings().orchestratorBlockingLimit()).isZero();
    }
    HostConfig byDefault =
        HostConfigLoader.load(null, Map.of())
            .withStorage("sqlite", Map.of("path", dir.resolve("default.db").toString()));
    try (FermataHost host = FermataHost.builder(byDefault).build()) {
      assertThat(host.fermata().settings().orchestratorBlockingLimit())
          .isEqualTo(Duration.ofSeconds(2));
    }
    assertThatThrownBy(
            () ->
                HostConfigLoader.load(
                    null, Map.of("FERMATA_DURABLETASK_ORCHESTRATORBLOCKINGLIMIT", "2s")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("extensions.durableTask.orchestratorBlockingLimit");
  }

  @Test
  void badRetention_isRefused_namingTheSettingAndWhatItAccepts() {
    assertThatThrownBy(
            () -> HostConfigLoader.load(null, Map.of("FERMATA_DURABLETASK_RETENTION", "30d")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("extensions.durableTask.retention")
        .hasMessageContaining("hh:mm:ss")
        .hasMessageContaining("'30d'");
    assertThatThrownBy(
            () -> HostConfigLoader.load(null, Map.of("FERMATA_DURABLETASK_RETENTION", "00:00:00")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("FERMATA_DURABLETASK_RETENTION")
        .hasMessageContaining("must be a positive time span");
  }

  @Test
  void badDurationsZonesHubNamesAndAddresses_areRefused() {
    assertThatThrownBy(
            () -> HostConfigLoader.load(null, Map.of("FERMATA_SHUTDOWNGRACEPERIOD", "30s")))
        .hasMessageContaining("shutdownGracePeriod")
        .hasMessageContaining("hh:mm:ss");
    assertThatThrownBy(
            () -> HostConfigLoader.load(null, Map.of("FERMATA_TIMEZONE", "Mars/Olympus")))
        .hasMessageContaining("timeZone")
        .hasMessageContaining("Europe/Paris");
    assertThatThrownBy(
            () -> HostConfigLoader.load(null, Map.of("FERMATA_DURABLETASK_HUBNAME", "1hub")))
        .hasMessageContaining("hubName")
        .hasMessageContaining("starting with a letter");
    assertThatThrownBy(() -> HostConfigLoader.load(null, Map.of("FERMATA_HTTP_BINDADDRESS", "a b")))
        .hasMessageContaining("http.bindAddress");
    assertThatThrownBy(() -> HostConfigLoader.load(null, Map.of("FERMATA_HTTP_MANAGEMENTKEY", " ")))
        .hasMessageContaining("http.managementKey");
  }

  @Test
  void anUnknownStoreType_namesTheAvailableOnes_andBadStoreSettingsAreNamed() {
    HostConfig pg =
        HostConfigLoader.load(null, Map.of("FERMATA_DURABLETASK_STORAGEPROVIDER_TYPE", "cosmos"));
    assertThatThrownBy(() -> StoreSelection.open(pg))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("'cosmos'")
        .hasMessageContaining("sqlite");
    HostConfig bad =
        HostConfigLoader.load(
            null, Map.of("FERMATA_DURABLETASK_STORAGEPROVIDER_SYNCHRONOUS", "maybe"));
    assertThatThrownBy(() -> StoreSelection.open(bad))
        .hasMessageContaining("synchronous")
        .hasMessageContaining("FULL");
  }

  @Test
  void publicBaseUrl_fromFileOrVariable_mustBeAnAbsoluteHttpUrl() throws IOException {
    assertThat(HostConfigLoader.load(null, Map.of()).publicBaseUrl()).isNull();
    assertThat(
            HostConfigLoader.load(
                    file("{\"http\": {\"publicBaseUrl\": \"https://api.example.com/fermata/\"}}"),
                    Map.of())
                .publicBaseUrl())
        .isEqualTo("https://api.example.com/fermata");
    assertThat(
            HostConfigLoader.load(
                    null, Map.of("FERMATA_HTTP_PUBLICBASEURL", "http://10.0.0.5:7071"))
                .publicBaseUrl())
        .isEqualTo("http://10.0.0.5:7071");
    assertThatThrownBy(
            () -> HostConfigLoader.load(null, Map.of("FERMATA_HTTP_PUBLICBASEURL", "example.com")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("'http.publicBaseUrl' (or FERMATA_HTTP_PUBLICBASEURL)")
        .hasMessageContaining("absolute http or https URL")
        .hasMessageContaining("'example.com'");
  }
}
