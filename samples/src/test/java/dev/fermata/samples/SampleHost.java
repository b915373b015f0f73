package dev.fermata.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import dev.fermata.host.HostConfig;
import dev.fermata.testsupport.Poll;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A real Fermata host with sample modules, on a SQLite file and a free loopback port, driven the
 * way a user drives it: over HTTP with {@link HttpClient}.
 */
public final class SampleHost implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final FermataHost host;

  private SampleHost(FermataHost host) {
    this.host = host;
  }

  public static SampleHost start(Path dir, FunctionModule... modules) {
    HostConfig config =
        HostConfig.defaults()
            .withGrpcPort(null)
            .withPort(0)
            .withStorage("sqlite", Map.of("path", dir.resolve("host.db").toString()));
    FermataHost.Builder builder = FermataHost.builder(config);
    for (FunctionModule module : modules) {
      builder.module(module);
    }
    return new SampleHost(builder.build().start());
  }

  /** {@code http://127.0.0.1:port}. */
  public String url() {
    return host.baseUrl();
  }

  public FermataHost host() {
    return host;
  }

  public HttpResponse<String> get(String pathOrUrl) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(uri(pathOrUrl)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs {@code json} (or nothing, when null) as {@code application/json}. */
  public HttpResponse<String> post(String pathOrUrl, String json)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(uri(pathOrUrl))
            .header("Content-Type", "application/json")
            .POST(
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** Raises {@code event} through the check-status payload's {@code sendEventPostUri}. */
  public HttpResponse<String> raiseEvent(JsonNode checkStatus, String event, String json)
      throws IOException, InterruptedException {
    return post(checkStatus.get("sendEventPostUri").asText().replace("{eventName}", event), json);
  }

  /**
   * Polls the instance's status URL until its {@code runtimeStatus} is {@code status}. The status
   * of an unfinished instance comes with 202, as in Durable Functions.
   */
  public JsonNode awaitStatus(String instanceId, String status) throws Exception {
    String url =
        "/runtime/webhooks/durabletask/instances/"
            + URLEncoder.encode(instanceId, StandardCharsets.UTF_8).replace("+", "%20");
    return await(url, Set.of(200, 202), body -> status.equals(body.path("runtimeStatus").asText()));
  }

  /** Polls a GET until it answers 200 with a body that {@code accepted}; returns that body. */
  public JsonNode awaitJson(String pathOrUrl, Predicate<JsonNode> accepted) throws Exception {
    return await(pathOrUrl, Set.of(200), accepted);
  }

  private JsonNode await(String pathOrUrl, Set<Integer> codes, Predicate<JsonNode> accepted) {
    return Poll.forValue(
        "GET " + pathOrUrl + " to give the expected answer",
        SampleEngine.WAIT,
        () -> {
          HttpResponse<String> response = get(pathOrUrl);
          if (!codes.contains(response.statusCode())) {
            return null;
          }
          JsonNode body = json(response);
          return accepted.test(body) ? body : null;
        });
  }

  private URI uri(String pathOrUrl) {
    return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : url() + pathOrUrl);
  }

  @Override
  public void close() {
    host.close();
  }
}
