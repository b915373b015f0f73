package dev.fermata.host;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The host's OpenTelemetry, configured by the standard {@code OTEL_*} variables: on when they name
 * where traces go ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}
 * or {@code OTEL_TRACES_EXPORTER}), off otherwise, so that a host nobody asked to trace makes no
 * connection attempts. Spans go out over OTLP/HTTP ({@code http/protobuf}); the host keeps its
 * metrics at {@code /metrics}, so OpenTelemetry's metric and log exporters are off unless set.
 *
 * @param sdk the configured SDK, closed (flushing what is buffered) when the host stops
 * @param summary what the start banner says about it
 */
public record HostTracing(OpenTelemetrySdk sdk, String summary) {
  private static final String[] ASKED_FOR_BY = {
    "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER"
  };

  /**
   * The tracing {@code env} asks for, if any.
   *
   * @throws InvalidConfigException if it asks for OTLP over gRPC, which the host does not send
   */
  public static Optional<HostTracing> fromEnvironment(Map<String, String> env) {
    if ("true".equalsIgnoreCase(env.get("OTEL_SDK_DISABLED"))) {
      return Optional.empty();
    }
    boolean asked = false;
    for (String name : ASKED_FOR_BY) {
      String value = env.get(name);
      asked |= value != null && !value.isBlank() && !value.equalsIgnoreCase("none");
    }
    if (!asked) {
      return Optional.empty();
    }
    for (String protocol :
        new String[] {
          env.get("OTEL_EXPORTER_OTLP_PROTOCOL"), env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
        }) {
      if (protocol != null && protocol.trim().equalsIgnoreCase("grpc")) {
        throw new InvalidConfigException(
            "OTEL_EXPORTER_OTLP_PROTOCOL=grpc: the host exports traces over OTLP/HTTP only; set"
                + " http/protobuf (the collector's port 4318) or leave it unset");
      }
    }
    Map<String, String> properties = new HashMap<>();
    properties.put("otel.service.name", "fermata");
    properties.put("otel.exporter.otlp.protocol", "http/protobuf");
    properties.put("otel.metrics.exporter", "none");
    properties.put("otel.logs.exporter", "none");
    // The variables given (the process's own, or a test's), as the SDK names them.
    env.forEach(
        (name, value) -> {
          if (name.startsWith("OTEL_")) {
            properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
          }
        });
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> properties)
            .disableShutdownHook() // the host closes it, after its last spans
            .build()
            .getOpenTelemetrySdk();
    String endpoint =
        properties.getOrDefault(
            "otel.exporter.otlp.traces.endpoint",
            properties.getOrDefault("otel.exporter.otlp.endpoint", "http://localhost:4318"));
    String exporter = properties.getOrDefault("otel.traces.exporter", "otlp");
    String summary =
        "OpenTelemetry, service "
            + properties.get("otel.service.name")
            + ", "
            + (exporter.equals("otlp") ? "OTLP/HTTP to " + endpoint : "exporter " + exporter);
    return Optional.of(new HostTracing(sdk, summary));
  }
}
