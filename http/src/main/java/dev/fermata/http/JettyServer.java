package dev.fermata.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server under the management API: Jetty, handing each request to the routes as an {@link
 * Exchange} on a virtual thread and writing their answer. Jetty brings what the JDK's built-in
 * server lacked: connections idle mid-request are closed, oversized request lines and headers are
 * answered 414 and 431 instead of a reset, and every answer the server gives on its own (a
 * malformed request, a timeout) is JSON in the API's error form.
 */
final class JettyServer implements AutoCloseable {
  /** The largest request line plus headers accepted (Jetty's default); beyond: 414 or 431. */
  static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;

  private final Server jetty;
  private final ServerConnector connector;

  private JettyServer(Server jetty, ServerConnector connector) {
    this.jetty = jetty;
    this.connector = connector;
  }

  /**
   * Binds the address of {@code options}, serves {@code handler} for every path, and starts.
   *
   * @throws IOException if the address cannot be bound
   */
  static JettyServer start(ManagementApiOptions options, Function<Exchange, ApiResponse> routes)
      throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("fermata-http");
    // Requests may wait long (for an instance to finish): each gets a virtual thread.
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    Server jetty = new Server(threads);
    jetty.setErrorHandler(new JsonErrors());
    jetty.setHandler(new Routes(routes, options.maxBodyBytes()));

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
    // The routes decode and check each raw path segment themselves (an encoded slash is part of
    // an instance id, a dot segment is refused naming it), so Jetty passes paths on as sent.
    http.setUriCompliance(UriCompliance.UNSAFE);
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost(options.bindAddress());
    connector.setPort(options.port());
    connector.setIdleTimeout(options.idleTimeout().toMillis());
    jetty.addConnector(connector);

    try {
      jetty.start();
    } catch (IOException e) {
      stopQuietly(jetty);
      throw e;
    } catch (Exception e) {
      stopQuietly(jetty);
      throw new IOException(e.getMessage(), e);
    }
    return new JettyServer(jetty, connector);
  }

  /** The address and port bound. */
  InetSocketAddress address() {
    try {
      return (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("the server's socket is closed", e);
    }
  }

  /** Stops accepting, and gives running requests up to a second. */
  @Override
  public void close() {
    jetty.setStopTimeout(1_000);
    stopQuietly(jetty);
  }

  private static void stopQuietly(Server jetty) {
    try {
      jetty.stop();
    } catch (Exception ignored) {
      // stopping anyway
    }
  }

  /**
   * Hands every request to the routes (blocking: it runs on a virtual thread), writes their answer,
   * then reads and drops whatever of the request's body they left unread.
   *
   * <p>A route may refuse a request on its headers alone (a wrong content type, a missing key).
   * Were the connection closed with the body still on its way, the body arriving after the close
   * would make the client's kernel reset the connection, discarding the answer it had not read yet:
   * the client would see the connection drop instead of its 400. Reading the body after answering
   * keeps the connection and the answer; beyond {@code maxBodyBytes} the connection is closed
   * rather than read on.
   */
  private static final class Routes extends Handler.Abstract {
    private final Function<Exchange, ApiResponse> routes;
    private final int maxBodyBytes;

    Routes(Function<Exchange, ApiResponse> routes, int maxBodyBytes) {
      this.routes = routes;
      this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      ApiResponse answer = routes.apply(new JettyExchange(request));
      response.setStatus(answer.status());
      answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
      byte[] body = answer.body();
      if (body.length > 0 && !answer.headers().containsKey("Content-Type")) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiResponse.JSON_TYPE);
      }
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      try (Blocker.Callback written = Blocker.callback()) {
        response.write(true, ByteBuffer.wrap(body), written);
        written.block();
        dropUnreadBody(request);
        callback.succeeded();
      } catch (IOException | RuntimeException e) {
        callback.failed(e);
      }
      return true;
    }

    /**
     * Reads the body's rest, up to {@code maxBodyBytes}; Jetty closes if more is left. A client
     * that waits for "100 Continue" before sending its body will not send it after a refusal, so
     * nothing is read for it.
     */
    private void dropUnreadBody(Request request) throws IOException {
      HttpFields headers = request.getHeaders();
      boolean hasBody =
          headers.contains(HttpHeader.CONTENT_LENGTH)
              || headers.contains(HttpHeader.TRANSFER_ENCODING);
      if (!hasBody
          || request.getLength() == 0
          || headers.contains(HttpHeader.EXPECT, "100-continue")) {
        return; // most requests: nothing was sent to drop
      }
      InputStream rest = Content.Source.asInputStream(request);
      byte[] buffer = new byte[8192];
      long dropped = 0;
      int n;
      while (dropped <= maxBodyBytes && (n = rest.read(buffer)) >= 0) {
        dropped += n;
      }
    }
  }

  /** A Jetty request as the routes read it. */
  private record JettyExchange(Request request) implements Exchange {
    @Override
    public String method() {
      return request.getMethod();
    }

    @Override
    public String rawPath() {
      return request.getHttpURI().getPath();
    }

    @Override
    public String rawQuery() {
      return request.getHttpURI().getQuery();
    }

    @Override
    public String header(String name) {
      return request.getHeaders().get(name);
    }

    @Override
    public Map<String, List<String>> headers() {
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (HttpField field : request.getHeaders()) {
        headers.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
      }
      return headers;
    }

    @Override
    public InputStream body() {
      return Content.Source.asInputStream(request);
    }

    @Override
    public InetSocketAddress localAddress() {
      return (InetSocketAddress) request.getConnectionMetaData().getLocalSocketAddress();
    }
  }

  /** What the server answers by itself, as JSON: {@code {"error": code, "message": text}}. */
  private static final class JsonErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      int status = response.getStatus();
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("error", code(status));
      body.put("message", message(status, request.getAttribute(ERROR_MESSAGE)));
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiResponse.JSON_TYPE);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
      response.write(true, ByteBuffer.wrap(bytes), callback);
      return true;
    }

    private static String code(int status) {
      return switch (status) {
        case 400 -> "invalid_request";
        case 404 -> "not_found";
        case 405 -> "method_not_allowed";
        case 408 -> "request_timeout";
        case 413 -> "payload_too_large";
        case 414 -> "url_too_long";
        case 431 -> "headers_too_large";
        case 503 -> "unavailable";
        case 505 -> "http_version_not_supported";
        default -> status >= 500 ? "internal_error" : "invalid_request";
      };
    }

    private static String message(int status, Object detail) {
      return switch (status) {
        case 400 ->
            "The request is not valid HTTP (request line, headers or URL encoding)"
                + (detail instanceof String text && !text.isBlank() && text.length() < 200
                    ? ": " + text
                    : "");
        case 408 -> "The request did not arrive in time";
        case 413 -> "The request body is too large";
        case 414 ->
            "The URL is too long: the request line and headers may take "
                + MAX_REQUEST_HEADER_BYTES
                + " bytes";
        case 431 ->
            "The request headers are too large: the request line and headers may take "
                + MAX_REQUEST_HEADER_BYTES
                + " bytes";
        case 505 -> "Only HTTP/1.0 and HTTP/1.1 are served";
        default -> status >= 500 ? "The server failed; see its log" : "The request was refused";
      };
    }
  }
}
