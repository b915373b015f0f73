package dev.fermata.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fermata.FailureDetails;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The JSON conventions of the API: payload embedding, failure objects and time formats. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    MAPPER.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  private static final DateTimeFormatter STATUS_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private Json() {}

  /** A stored payload (JSON text) as a JSON value; text that is not JSON comes back as a string. */
  static JsonNode payload(String stored) {
    if (stored == null) {
      return NullNode.getInstance();
    }
    try {
      return MAPPER.readTree(stored);
    } catch (JsonProcessingException e) {
      return TextNode.valueOf(stored);
    }
  }

  /**
   * A request body as JSON; empty means null.
   *
   * @throws ApiException 400 when it is not JSON
   */
  static JsonNode parseBody(byte[] body, String what) {
    if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    try {
      return MAPPER.readTree(body);
    } catch (Exception e) {
      throw ApiException.badRequest(
          "invalid_json", "The " + what + " is not valid JSON: " + firstLine(e.getMessage()));
    }
  }

  static String firstLine(Throwable e) {
    return firstLine(e.getMessage());
  }

  /** The first line of a parser's message, with Java class names cut to their simple names. */
  private static String firstLine(String text) {
    if (text == null) {
      return "unreadable";
    }
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    return JAVA_NAME.matcher(line.replaceAll(" \\(class [^)]*\\)", "")).replaceAll("$1");
  }

  private static final java.util.regex.Pattern JAVA_NAME =
      java.util.regex.Pattern.compile("\\b(?:[a-z_][\\w]*\\.)+(?:[A-Z][\\w]*\\$)*([A-Z][\\w]*)");

  /** A status time: UTC {@code yyyy-MM-ddTHH:mm:ssZ}. */
  static String statusTime(Instant t) {
    return t == null ? null : STATUS_TIME.format(t);
  }

  /** A history time: ISO 8601 UTC with milliseconds. */
  static String historyTime(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** Failure details with camelCase keys (status output) or PascalCase keys (history). */
  static JsonNode failure(FailureDetails f, boolean pascalCase) {
    if (f == null) {
      return NullNode.getInstance();
    }
    ObjectNode o = MAPPER.createObjectNode();
    o.put(pascalCase ? "ErrorType" : "errorType", f.errorType());
    o.put(pascalCase ? "ErrorMessage" : "errorMessage", f.errorMessage());
    o.put(pascalCase ? "StackTrace" : "stackTrace", f.stackTrace());
    o.set(pascalCase ? "InnerFailure" : "innerFailure", failure(f.innerFailure(), pascalCase));
    o.put(pascalCase ? "IsNonRetriable" : "isNonRetriable", f.isNonRetriable());
    return o;
  }
}
