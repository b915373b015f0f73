package dev.fermata.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The request an HTTP function receives: method, route parameters, query, headers and body. The
 * body is read once, within the host's size limit (413 when larger).
 */
public final class HttpRequestMessage {
  private final ApiRequest request;
  private byte[] body;

  HttpRequestMessage(ApiRequest request) {
    this.request = request;
  }

  ApiRequest apiRequest() {
    return request;
  }

  /** The method in upper case, such as {@code GET}. */
  public String method() {
    return request.method();
  }

  /** The URL as the client addressed it (scheme, host, path and query). */
  public String url() {
    return request.requestUrl();
  }

  /** A route parameter ({@code {name}} in the route), decoded; null if the route has none. */
  public String pathParam(String name) {
    return request.pathParam(name);
  }

  /** The first value of a query parameter (names are case-insensitive), or null. */
  public String query(String name) {
    return request.query(name);
  }

  /** Every value of a query parameter, in order. */
  public List<String> queryAll(String name) {
    return request.queryAll(name);
  }

  /** The first value of a header (names are case-insensitive), or null. */
  public String header(String name) {
    return request.header(name);
  }

  /** Every header, names in lower case. */
  public Map<String, List<String>> headers() {
    return request.headers().entrySet().stream()
        .collect(
            java.util.stream.Collectors.toMap(
                e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue, (a, b) -> a));
  }

  /** The body's bytes (empty when there is none). */
  public byte[] body() {
    if (body == null) {
      body = request.body();
    }
    return body.clone();
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body(), StandardCharsets.UTF_8);
  }

  /**
   * The body as JSON converted to {@code type}; null when the body is empty. Malformed JSON or JSON
   * of the wrong shape is answered 400 naming the problem.
   */
  public <T> T bodyAs(Class<T> type) {
    JsonNode node = Json.parseBody(body(), "request body");
    if (node == null) {
      return null;
    }
    try {
      return Json.MAPPER.treeToValue(node, type);
    } catch (Exception e) {
      throw ApiException.badRequest(
          "invalid_body",
          "The request body does not fit " + type.getSimpleName() + ": " + Json.firstLine(e));
    }
  }
}
