package dev.fermata.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** One request: decoded path segments and query, headers, a size-limited body, and typed params. */
final class ApiRequest {
  private static final Pattern SAFE_HOST = Pattern.compile("[A-Za-z0-9.\\-:\\[\\]_]{1,255}");
  private static final Pattern CODE_PARAMETER = Pattern.compile("(?i)((?:^|&)code=)[^&]*");

  /** The times the stores can keep: years 1 to 9999, as in Durable Functions' .NET DateTime. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private final Exchange exchange;
  private final int maxBodyBytes;
  private final String publicBaseUrl;
  private final List<String> segments;
  private final Map<String, List<String>> query;
  private Map<String, String> pathParams = Map.of();

  ApiRequest(Exchange exchange, ManagementApiOptions options) {
    this.exchange = exchange;
    this.maxBodyBytes = options.maxBodyBytes();
    this.publicBaseUrl = options.publicBaseUrl();
    this.segments = splitPath(exchange.rawPath());
    this.query = parseQuery(exchange.rawQuery());
  }

  private static List<String> splitPath(String rawPath) {
    List<String> out = new ArrayList<>();
    if (rawPath == null) {
      return out;
    }
    for (String s : rawPath.split("/", -1)) {
      if (!s.isEmpty()) {
        String segment = decode(s.replace("+", "%2B"), "path");
        if (segment.equals(".") || segment.equals("..")) {
          throw ApiException.badRequest(
              "invalid_url",
              "The path has a '" + segment + "' segment; names and instance ids cannot be . or ..");
        }
        out.add(segment);
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

  /** Percent-decodes strictly: bytes that are not UTF-8 are refused, not replaced. */
  private static String decode(String s, String where) {
    try {
      // The JDK hands the request line over as one char per byte: decode to bytes, then UTF-8.
      String bytes = URLDecoder.decode(s, StandardCharsets.ISO_8859_1);
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1)))
          .toString();
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "invalid_url", "The " + where + " has a malformed percent-encoding");
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest(
          "invalid_url", "The " + where + " has percent-encoded bytes that are not UTF-8");
    }
  }

  /** The request's path and query with the value of any {@code code} parameter masked, for logs. */
  static String redactedTarget(Exchange exchange) {
    String path = exchange.rawPath();
    String q = exchange.rawQuery();
    return path + (q == null ? "" : "?" + CODE_PARAMETER.matcher(q).replaceAll("$1***"));
  }

  String method() {
    return exchange.method().toUpperCase(Locale.ROOT);
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
    return exchange.header(name);
  }

  Map<String, List<String>> headers() {
    return exchange.headers();
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

  /**
   * An ISO 8601 time parameter (offset, UTC, local time as UTC, or a date) from year 1 to 9999, or
   * null.
   */
  Instant timeParam(String name) {
    String v = query(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    Instant t = parseTime(v.trim());
    if (t == null || t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
      throw ApiException.badRequest(
          "invalid_parameter",
          "Query parameter '"
              + name
              + "' must be an ISO 8601 time from 0001-01-01 to 9999-12-31, got '"
              + v
              + "'");
    }
    return t;
  }

  private static Instant parseTime(String t) {
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeException e) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      // try the next form
    }
    try {
      return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
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
    InputStream in = exchange.body();
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

  /**
   * The configured public base URL, else {@code http://host[:port]} as the client addressed us: the
   * start of the URLs we hand out.
   */
  String origin() {
    if (publicBaseUrl != null) {
      return publicBaseUrl;
    }
    String host = header("Host");
    if (host == null || !SAFE_HOST.matcher(host).matches()) {
      var local = exchange.localAddress();
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
    String raw = exchange.rawPath();
    String q = exchange.rawQuery();
    return origin() + raw + (q == null ? "" : "?" + q);
  }
}
