package dev.fermata.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A response: status, extra headers and a JSON body (or none). */
record ApiResponse(int status, Map<String, String> headers, byte[] body) {

  static final String JSON_TYPE = "application/json; charset=utf-8";

  static ApiResponse json(int status, JsonNode body) {
    try {
      return new ApiResponse(status, new LinkedHashMap<>(), Json.MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a JSON response", e);
    }
  }

  /** No body. */
  static ApiResponse empty(int status) {
    return new ApiResponse(status, new LinkedHashMap<>(), new byte[0]);
  }

  /** A body that is already JSON text (an orchestration's stored output). */
  static ApiResponse rawJson(int status, String jsonText) {
    String text = jsonText == null ? "null" : jsonText;
    return new ApiResponse(status, new LinkedHashMap<>(), text.getBytes(StandardCharsets.UTF_8));
  }

  static ApiResponse error(int status, String error, String message) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("error", error);
    body.put("message", message);
    return json(status, body);
  }

  ApiResponse header(String name, String value) {
    headers.put(name, value);
    return this;
  }
}
