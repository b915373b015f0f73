package dev.fermata.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's spans reach an OTLP/HTTP collector, here a real HTTP server on loopback that keeps
 * what it is sent; the OTEL_* variables decide whether the host traces at all.
 */
class TracingExportTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @TempDir Path dir;

  private HttpServer collector;
  private final List<byte[]> exported = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startCollector() throws IOException {
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            exported.add(body.readAllBytes());
          }
          contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
          exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
          exchange.close();
        });
    collector.start();
  }

  @AfterEach
  void stopCollector() {
    collector.stop(0);
  }

  @Test
  void spansOfAnOrchestrationStartedOverHttp_reachTheCollector_inTheCallersTrace()
      throws Exception {
    String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
    HostTracing tracing =
        HostTracing.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)).orElseThrow();
    HostConfig config =
        HostConfig.defaults()
            .withGrpcPort(null)
            .withPort(0)
            .withStorage("sqlite", Map.of("path", dir.resolve("traced.db").toString()));
    try (FermataHost host =
        FermataHost.builder(config)
            .orchestrator("Flow", ctx -> ctx.callActivity("Step", null, String.class).await())
            .activity("Step", ctx -> "stepped")
            .tracing(tracing)
            .build()
            .start()) {
      String id = startOverHttp(host, "Flow", "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
      host.fermata().client().waitForCompletion(id, WAIT);
    } // closing the host flushes the spans

    assertThat(contentTypes).isNotEmpty().allMatch("application/x-protobuf"::equals);
    byte[] all = concat(exported);
    String text = new String(all, StandardCharsets.ISO_8859_1); // names are plain bytes in protobuf
    assertThat(text)
        .contains("create_orchestration:Flow", "orchestration:Flow", "activity:Step", "fermata");
    assertThat(indexOf(all, HexFormat.of().parseHex(TRACE_ID)))
        .as("the spans carry the caller's trace id")
        .isNotNegative();
  }

  @Test
  void withoutAnExporterNamed_orWithTheSdkDisabled_theHostDoesNotTrace() {
    assertThat(HostTracing.fromEnvironment(Map.of())).isEmpty();
    assertThat(HostTracing.fromEnvironment(Map.of("OTEL_SERVICE_NAME", "shop"))).isEmpty();
    assertThat(HostTracing.fromEnvironment(Map.of("OTEL_TRACES_EXPORTER", "none"))).isEmpty();
    assertThat(
            HostTracing.fromEnvironment(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                    "http://127.0.0.1:1",
                    "OTEL_SDK_DISABLED",
                    "true")))
        .isEmpty();
  }

  @Test
  void otlpOverGrpc_isRefusedWithTheReason() {
    assertThatThrownBy(
            () ->
                HostTracing.fromEnvironment(
                    Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                        "http://127.0.0.1:4317",
                        "OTEL_EXPORTER_OTLP_PROTOCOL",
                        "grpc")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("OTLP/HTTP only")
        .hasMessageContaining("http/protobuf");
  }

  private static String startOverHttp(FermataHost host, String name, String traceParent)
      throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(host.baseUrl() + "/api/orchestrators/" + name + "/traced-1"))
                  .header("traceparent", traceParent)
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(202);
      return "traced-1";
    }
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
