package dev.fermata.samples.retrycallback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The external system the retry/callback sample calls: a small web API on loopback that accepts a
 * unit of work ({@code POST /api/work}, answering 202). Its callback, when the work is done, is the
 * {@code Callback} event raised on the instance named in the request; as in the original scenario,
 * a person (or a test) raises it. Failures can be switched on at runtime, to watch the orchestrator
 * use up its attempts.
 */
public final class ExternalApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExternalApi.class);

  /** The path the sample's activity posts to. */
  public static final String WORK_PATH = "/api/work";

  /** {@code POST /api/failures?count=N}: the next N work requests are answered with 503. */
  public static final String FAILURES_PATH = "/api/failures";

  private final HttpServer server;
  private final AtomicInteger failuresToServe = new AtomicInteger();
  private final List<String> requests = new ArrayList<>();

  private ExternalApi(HttpServer server) {
    this.server = server;
  }

  /** Starts the API on a free loopback port ({@code port} 0) or the given one. */
  public static ExternalApi start(int port) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    ExternalApi api = new ExternalApi(server);
    server.createContext(WORK_PATH, api::handle);
    server.createContext(FAILURES_PATH, api::switchFailures);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return api;
  }

  /** The base address, such as {@code http://127.0.0.1:40123}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The next {@code count} requests are answered with 503 Service Unavailable. */
  public void failNext(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, got " + count);
    }
    failuresToServe.set(count);
  }

  /** The bodies of all requests received so far, failed ones included, in arrival order. */
  public synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "{\"error\":\"use POST\"}");
        return;
      }
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      synchronized (this) {
        requests.add(body);
      }
      if (failuresToServe.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        log.info("External API: answering 503 to {}", body);
        respond(exchange, 503, "{\"error\":\"the external system is unavailable\"}");
      } else {
        log.info("External API: accepted {}", body);
        respond(exchange, 202, "{\"accepted\":true}");
      }
    }
  }

  /** Lets an operator switch failures on from a terminal, as {@link #failNext} does in code. */
  private void switchFailures(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "{\"error\":\"use POST /api/failures?count=N\"}");
        return;
      }
      String query = exchange.getRequestURI().getQuery();
      int count;
      try {
        count =
            query != null && query.startsWith("count=")
                ? Integer.parseInt(query.substring("count=".length()))
                : -1;
      } catch (NumberFormatException e) {
        count = -1;
      }
      if (count < 0 || count > 1000) {
        respond(exchange, 400, "{\"error\":\"give count=N with N from 0 to 1000\"}");
        return;
      }
      failNext(count);
      log.info("External API: the next {} work request(s) will get 503", count);
      respond(exchange, 200, "{\"failNext\":" + count + "}");
    }
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
