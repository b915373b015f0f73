package dev.fermata.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.host.FermataHost;
import dev.fermata.host.HostConfig;
import dev.fermata.host.HostConfigLoader;
import dev.fermata.host.HostTracing;
import dev.fermata.testsupport.Logs;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start banner names the store it opened. */
class BannerTest {
  @TempDir Path dir;

  private static FermataHost host(HostConfig config) {
    return FermataHost.builder(config).orchestrator("Flow", ctx -> "done").build();
  }

  private static HostConfig sqlite(Path db) {
    return HostConfig.defaults()
        .withGrpcPort(null)
        .withPort(0)
        .withStorage("sqlite", Map.of("path", db.toString(), "synchronous", "OFF"));
  }

  @Test
  void sqlite_namesTheAbsolutePath_andWhetherTheFileWasCreatedOrOpened() {
    Path db = dir.resolve("banner.db");
    try (FermataHost host = host(sqlite(db)).start()) {
      String banner = Banner.of(host);
      assertThat(banner)
          .contains("Store:           sqlite " + db.toAbsolutePath() + ", created\n")
          .contains("listening on " + host.baseUrl());
    }

    try (FermataHost host = host(sqlite(db)).start()) {
      assertThat(Banner.of(host))
          .contains("Store:           sqlite " + db.toAbsolutePath() + ", opened (0 instances)\n");
    }
  }

  @Test
  void tracing_isNamed_onlyWhenOn() {
    HostTracing tracing =
        HostTracing.fromEnvironment(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                    "http://127.0.0.1:4318",
                    "OTEL_SERVICE_NAME",
                    "shop"))
            .orElseThrow();
    try (FermataHost host =
        FermataHost.builder(sqlite(dir.resolve("traced.db")))
            .orchestrator("Flow", ctx -> "done")
            .tracing(tracing)
            .build()
            .start()) {
      assertThat(Banner.of(host))
          .contains(
              "Tracing:         OpenTelemetry, service shop, OTLP/HTTP to http://127.0.0.1:4318\n");
    }
    try (FermataHost host = host(sqlite(dir.resolve("untraced.db"))).start()) {
      assertThat(Banner.of(host)).doesNotContain("Tracing:");
    }
  }

  @Test
  void sidecar_namesItsAddress_onlyWhenServed() {
    try (FermataHost host = host(sqlite(dir.resolve("grpc.db")).withGrpcPort(0)).start()) {
      assertThat(Banner.of(host))
          .contains(
              "Durable Task:    gRPC 127.0.0.1:"
                  + host.grpcPort().orElseThrow()
                  + " (the Durable Task SDKs' workers and clients)\n");
    }
    try (FermataHost host = host(sqlite(dir.resolve("nogrpc.db"))).start()) {
      assertThat(host.grpcPort()).isEmpty();
      assertThat(Banner.of(host)).doesNotContain("gRPC");
    }
  }

  @Test
  void postgres_namesTheUrlWithoutItsPassword_andTheHub() {
    HostConfig config =
        HostConfig.defaults()
            .withGrpcPort(null)
            .withPort(0)
            .withStorage(
                "postgres",
                Map.of(
                    "connectionString",
                    "jdbc:postgresql://db.example:5432/fermata?user=app&password=s3cret&ssl=true",
                    "password",
                    "other-s3cret"));
    // Built, not started: the banner needs only the store's settings, not a database.
    try (FermataHost host = host(config)) {
      String store = Banner.store(host);
      assertThat(store)
          .isEqualTo(
              "postgres jdbc:postgresql://db.example:5432/fermata?user=app&password=***&ssl=true,"
                  + " hub "
                  + config.hubName())
          .doesNotContain("s3cret");
    }
  }

  @Test
  void everyInterfaceWithoutAKey_warnsHowToSetOne_andTheBannerShowsTheBoundAddress() {
    HostConfig config =
        HostConfigLoader.load(
                null,
                Map.of(
                    "FERMATA_HTTP_BINDADDRESS",
                    "0.0.0.0",
                    "FERMATA_HTTP_PUBLICBASEURL",
                    "https://fermata.example.com"))
            .withPort(0)
            .withGrpcPort(0) // not the default 4001, which another host on the machine may hold
            .withStorage("sqlite", Map.of("path", dir.resolve("open.db").toString()));
    String[] banner = new String[1];
    String log =
        Logs.capture(
            () -> {
              try (FermataHost host = host(config).start()) {
                banner[0] = Banner.of(host);
              }
            });

    assertThat(log.lines().filter(l -> l.contains("WARN")))
        .singleElement()
        .asString()
        .containsPattern("listens on 0\\.0\\.0\\.0:\\d+ without a management key")
        .contains("anyone who can reach this address can start, terminate and purge every")
        .contains("FERMATA_HTTP_MANAGEMENTKEY");
    assertThat(banner[0])
        .startsWith("Fermata host listening on http://0.0.0.0:")
        .contains("Public address: https://fermata.example.com\n")
        .contains("POST https://fermata.example.com/api/orchestrators/{name}");
  }

  @Test
  void loopbackOrAKey_startsWithoutAWarning() {
    String log =
        Logs.capture(
            () -> {
              try (FermataHost host = host(sqlite(dir.resolve("quiet.db"))).start()) {
                assertThat(Banner.of(host))
                    .startsWith("Fermata host listening on http://127.0.0.1:");
              }
            });
    assertThat(log).doesNotContain("WARN");
  }
}
