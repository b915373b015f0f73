package dev.fermata.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.testsupport.Poll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Starting hosts on a temporary SQLite file and a free port, and talking to them over HTTP. */
final class HostTestSupport {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private HostTestSupport() {}

  /** Defaults, but a free port and SQLite at {@code db}. */
  static HostConfig config(Path db) {
    return HostConfig.defaults()
        .withGrpcPort(null)
        .withPort(0)
        .withStorage("sqlite", Map.of("path", db.toString(), "synchronous", "OFF"));
  }

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), ofString());
  }

  static HttpResponse<String> post(String url, String body)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }

  /** Waits for a condition, generously (the machine may be loaded). */
  static void await(String what, BooleanSupplier condition) {
    Poll.until(what, Duration.ofSeconds(60), condition::getAsBoolean);
  }
}
