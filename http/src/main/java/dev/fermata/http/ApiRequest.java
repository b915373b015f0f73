package dev.fermata.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** One request: decoded path segments and query, headers, a size-limited body, and typed params. */
final class ApiRequest {
  private static final Pattern SAFE_HOST = Pattern.compile("[A-Za-z0-9.\\-:\\[\\]_]{1,255}");

  private final HttpExchange exchange;
  private final int maxBodyBytes;
  private final List<String> segments;
  private final Map<String, List<String>> query;
  private Map<String, String> pathParams = Map.of();

  ApiRequest(HttpExchange exchange, int maxBodyBytes) {
    this.exchange = exchange;
    this.maxBodyBytes = maxBodyBytes;
    this.segments = splitPath(exchange.getRequestURI().getRawPath());
    this.query = parseQuery(exchange.getRequestURI().getRawQuery());
  }

  private static List<String> splitPath(String rawPath) {
    List<String> out = new ArrayList<>();
    if (rawPath == null) {
      return out;
    }
    for (String s : rawPath.split("/", -1)) {
      if (!s.isEmpty()) {
        out.add(decode(s.replace("+", "%2B"), "path"));
      }
    }
    return out;
  }

  private static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), "query");
      out.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  private static String decode(String s, String where) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "invalid_url", "The " + where + " has a malformed percent-encoding");
    }
  }

  String method() {
    return exchange.getRequestMethod().toUpperCase(Locale.ROOT);
  }

  List<String> segments() {
    return segments;
  }

  void setPathParams(Map<String, String> params) {
    this.pathParams = params;
  }

  String pathParam(String name) {
    return pathParams.get(name);
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  Map<String, List<String>> headers() {
    return exchange.getRequestHeaders();
  }

  /** The first value of a query parameter (names are case-insensitive), or null. */
  String query(String name) {
    List<String> values = query.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  List<String> queryAll(String name) {
    return query.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  boolean boolParam(String name, boolean defaultValue) {
    String v = query(name);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw ApiException.badRequest(
        "invalid_parameter",
        "Query parameter '" + name + "' must be true or false, got '" + v + "'");
  }

  /** An integer parameter within [min, max], or null when absent. */
  Integer intParam(String name, int min, int max) {
    String v = query(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest(
        "invalid_parameter",
        "Query parameter '"
            + name
            + "' must be a whole number from "
            + min
            + " to "
            + max
            + ", got '"
            + v
            + "'");
  }

  /** An ISO 8601 time parameter (offset, UTC, local time as UTC, or a date), or null. */
  Instant timeParam(String name) {
    String v = query(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    String t = v.trim();
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          "invalid_parameter",
          "Query parameter '" + name + "' must be an ISO 8601 time, got '" + v + "'");
    }
  }

  /**
   * The body, at most the configured limit.
   *
   * @throws ApiException 413 when it is larger
   */
  byte[] body() {
    String length = header("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > maxBodyBytes) {
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid_header", "Content-Length is not a number");
      }
    }
    InputStream in = exchange.getRequestBody();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    try {
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > maxBodyBytes) {
          throw tooLarge();
        }
      }
    } catch (IOException e) {
      throw ApiException.badRequest(
          "incomplete_body", "The request body could not be read completely: " + e.getMessage());
    }
    return out.toByteArray();
  }

  private ApiException tooLarge() {
    return new ApiException(
        413, "body_too_large", "The request body is over the limit of " + maxBodyBytes + " bytes");
  }

  /** {@code http://host[:port]} as the client addressed us, for the URLs we hand out. */
  String origin() {
    String host = header("Host");
    if (host == null || !SAFE_HOST.matcher(host).matches()) {
      var local = exchange.getLocalAddress();
      String addr = local.getAddress().getHostAddress();
      if (addr.contains(":")) {
        addr = "[" + addr + "]";
      }
      host = addr + ":" + local.getPort();
    }
    return "http://" + host;
  }

  /** The URL of this request, as the client addressed it. */
  String requestUrl() {
    String raw = exchange.getRequestURI().getRawPath();
    String q = exchange.getRequestURI().getRawQuery();
    return origin() + raw + (q == null ? "" : "?" + q);
  }
}
