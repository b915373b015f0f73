package dev.fermata.http;

import dev.fermata.Fermata;
import dev.fermata.InstanceAlreadyExistsException;
import dev.fermata.InstanceNotFoundException;
import dev.fermata.InstanceStatusException;
import dev.fermata.NotRedrivableException;
import dev.fermata.PayloadException;
import dev.fermata.UnknownFunctionException;
import dev.fermata.spi.StoreFailureLog;
import dev.fermata.spi.StoreUnavailableException;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the Durable Functions HTTP management API for one engine.
 *
 * <pre>{@code
 * try (ManagementApi api = ManagementApi.start(fermata, ManagementApiOptions.defaults())) {
 *   // curl -X POST http://127.0.0.1:7071/api/orchestrators/Greet -d '"Ada"'
 * }
 * }</pre>
 *
 * <p>Every request is answered, never crashes the server: client mistakes get 4xx with a JSON body
 * {@code {"error": "...", "message": "..."}}; a store that cannot serve the request (disk full,
 * database unreachable) is answered 503 with {@code Retry-After}; anything unexpected is logged and
 * answered 500.
 */
public final class ManagementApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);

  /** When a client should try again after the store failed (it recovers by itself). */
  static final String STORE_RETRY_AFTER_SECONDS = "5";

  /** Per server: one API's outage must not silence another's (or a test's) first line. */
  private final StoreFailureLog storageFailures = new StoreFailureLog(log);

  private final ManagementApiOptions options;
  private final Router router = new Router();
  private final JettyServer server;
  private final byte[] key;

  private ManagementApi(
      Fermata fermata,
      ManagementApiOptions options,
      List<HttpFunctionRoute> functions,
      Supplier<String> metrics)
      throws IOException {
    this.options = options;
    this.key =
        options.managementKey() == null
            ? null
            : options.managementKey().getBytes(StandardCharsets.UTF_8);
    new OrchestratorStartRoutes(fermata.client(), options.managementKey()).register(router);
    new InstanceQueryRoutes(fermata.client()).register(router);
    new InstanceRoutes(fermata.client(), options.managementKey()).register(router);
    new EntityRoutes(fermata.client()).register(router);
    new DeadLetterRoutes(fermata.client()).register(router);
    new HealthRoutes(fermata, HealthRoutes.DEFAULT_CHECK_TIMEOUT).register(router);
    new DashboardRoutes(fermata).register(router);
    if (metrics != null) {
      router.add("GET", "metrics", r -> metricsScrape(metrics));
    }
    // After the management routes, which take precedence on the same path.
    new HttpFunctionRoutes(
            functions, new DurableHttpClient(fermata.client(), options.managementKey()))
        .register(router);
    // Last: requests may arrive as soon as it listens, and every route is registered by then.
    this.server = JettyServer.start(options, this::answer);
  }

  /**
   * Binds and starts serving.
   *
   * @throws IOException if the address cannot be bound
   */
  public static ManagementApi start(Fermata fermata, ManagementApiOptions options)
      throws IOException {
    return start(fermata, options, List.of());
  }

  /**
   * Binds and starts serving the management API and the given HTTP functions, under {@code /api/}.
   * Management routes win where a function's route would match the same request.
   *
   * @throws IOException if the address cannot be bound
   */
  public static ManagementApi start(
      Fermata fermata, ManagementApiOptions options, List<HttpFunctionRoute> functions)
      throws IOException {
    return start(fermata, options, functions, null);
  }

  /**
   * As {@link #start(Fermata, ManagementApiOptions, List)}, and serves {@code GET /metrics} (behind
   * the management key, if one is set) with what {@code metrics} returns: the Prometheus text
   * exposition of the host's meter registry.
   *
   * @throws IOException if the address cannot be bound
   */
  public static ManagementApi start(
      Fermata fermata,
      ManagementApiOptions options,
      List<HttpFunctionRoute> functions,
      Supplier<String> metrics)
      throws IOException {
    ManagementApi api = new ManagementApi(fermata, options, List.copyOf(functions), metrics);
    log.info(
        "Management API listening on http://{}{}",
        api.listenAddress(),
        options.managementKey() == null ? "" : " (key required)");
    if (options.managementKey() == null && !api.address().getAddress().isLoopbackAddress()) {
      log.warn(
          "The management API listens on {} without a management key: anyone who can reach this"
              + " address can start, terminate and purge every instance. Set a key (host setting"
              + " http.managementKey or variable FERMATA_HTTP_MANAGEMENTKEY;"
              + " ManagementApiOptions.withManagementKey in code) or bind to 127.0.0.1.",
          api.listenAddress());
    }
    return api;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.address().getPort();
  }

  /** The address and port actually bound. */
  public InetSocketAddress address() {
    return server.address();
  }

  /**
   * {@code address:port} as bound, for people to read: the configured wildcard ({@code 0.0.0.0})
   * when listening on every interface, IPv6 addresses in brackets.
   */
  public String listenAddress() {
    InetSocketAddress bound = server.address();
    String host =
        bound.getAddress().isAnyLocalAddress()
            ? options.bindAddress()
            : bound.getAddress().getHostAddress();
    return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
        + ":"
        + bound.getPort();
  }

  public ManagementApiOptions options() {
    return options;
  }

  private static ApiResponse metricsScrape(Supplier<String> metrics) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return new ApiResponse(200, headers, metrics.get().getBytes(StandardCharsets.UTF_8));
  }

  /** Stops accepting requests and waits up to a second for running ones. */
  @Override
  public void close() {
    server.close();
  }

  /** The answer to one request; never throws. */
  private ApiResponse answer(Exchange exchange) {
    try {
      ApiRequest request = new ApiRequest(exchange, options);
      if (!HealthRoutes.isHealthPath(request.segments())
          && !DashboardRoutes.isPagePath(request.segments())) {
        requireKey(request);
      }
      // A caller's trace (W3C traceparent) is current while the request is served, so that the
      // instances it starts join it.
      try (Scope ignored = TraceHeaders.extract(request).makeCurrent()) {
        return router.dispatch(request);
      }
    } catch (Throwable t) {
      return toResponse(t, exchange);
    }
  }

  private void requireKey(ApiRequest request) {
    if (key == null) {
      return;
    }
    String given = request.header("x-functions-key");
    if (given == null) {
      given = request.query("code");
    }
    if (given == null || !MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8))) {
      throw new ApiException(
          401,
          "unauthorized",
          "This API needs the management key, as the 'code' query parameter or the"
              + " x-functions-key header");
    }
  }

  /** The one place where exceptions become status codes. */
  private ApiResponse toResponse(Throwable t, Exchange exchange) {
    return switch (t) {
      case ApiException e -> ApiResponse.error(e.status(), e.error(), e.getMessage());
      case InstanceNotFoundException e ->
          ApiResponse.error(404, "instance_not_found", e.getMessage());
      case InstanceStatusException e ->
          e.getStatus() != null && e.getStatus().isTerminal()
              ? ApiResponse.error(410, "instance_finished", e.getMessage())
              : ApiResponse.error(409, "instance_status_conflict", e.getMessage());
      case NotRedrivableException e -> ApiResponse.error(409, "not_redrivable", e.getMessage());
      case InstanceAlreadyExistsException e ->
          ApiResponse.error(409, "instance_already_exists", e.getMessage());
      case UnknownFunctionException e -> ApiResponse.error(400, "unknown_function", e.getMessage());
      case PayloadException e -> ApiResponse.error(400, "invalid_payload", e.getMessage());
      case IllegalArgumentException e -> ApiResponse.error(400, "invalid_argument", e.getMessage());
      case StoreUnavailableException e -> {
        storageFailures.warn(
            "Answered " + exchange.method() + " " + ApiRequest.redactedTarget(exchange) + " 503",
            e);
        yield ApiResponse.error(503, "store_unavailable", e.getMessage())
            .header("Retry-After", STORE_RETRY_AFTER_SECONDS);
      }
      default -> {
        log.error(
            "Internal error answering {} {}",
            exchange.method(),
            ApiRequest.redactedTarget(exchange),
            t);
        yield ApiResponse.error(500, "internal_error", "The server failed; see its log");
      }
    };
  }
}
