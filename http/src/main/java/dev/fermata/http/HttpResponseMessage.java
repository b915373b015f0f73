package dev.fermata.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an HTTP function answers: a status, headers and a body.
 *
 * <pre>{@code
 * return HttpResponseMessage.json(200, Map.of("greeting", "hello"));
 * return HttpResponseMessage.text(404, "no such order").header("Cache-Control", "no-store");
 * }</pre>
 */
public final class HttpResponseMessage {
  private final int status;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private final byte[] body;

  private HttpResponseMessage(int status, byte[] body, String contentType) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("An HTTP status must be from 100 to 599, got " + status);
    }
    this.status = status;
    this.body = body;
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
  }

  /** A status without a body. */
  public static HttpResponseMessage status(int status) {
    return new HttpResponseMessage(status, new byte[0], null);
  }

  /** A JSON body: {@code value} written by Jackson. */
  public static HttpResponseMessage json(int status, Object value) {
    try {
      return new HttpResponseMessage(
          status, Json.MAPPER.writeValueAsBytes(value), ApiResponse.JSON_TYPE);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot write the response as JSON: " + e.getMessage());
    }
  }

  /** A plain-text body. */
  public static HttpResponseMessage text(int status, String text) {
    return new HttpResponseMessage(
        status, text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
  }

  /** Adds (or replaces) a header. */
  public HttpResponseMessage header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public int getStatus() {
    return status;
  }

  /** The header's value (name matched case-insensitively), or null. */
  public String getHeader(String name) {
    return headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  public String getBodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  ApiResponse toApiResponse() {
    return new ApiResponse(status, new LinkedHashMap<>(headers), body);
  }

  static HttpResponseMessage of(ApiResponse r) {
    HttpResponseMessage m = new HttpResponseMessage(r.status(), r.body(), null);
    m.headers.putAll(r.headers());
    if (r.body().length > 0 && m.getHeader("Content-Type") == null) {
      m.headers.put("Content-Type", ApiResponse.JSON_TYPE);
    }
    return m;
  }
}
