package dev.fermata.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Durable Functions' check-status payload ({@code CreateCheckStatusResponse}): the instance id and
 * the management URLs for it, built from the origin the client used.
 */
final class CheckStatusPayload {
  static final String BASE_PATH = "/runtime/webhooks/durabletask";

  private CheckStatusPayload() {}

  static ObjectNode of(String origin, String instanceId, String managementKey) {
    String instance = origin + BASE_PATH + "/instances/" + encode(instanceId);
    String code = managementKey == null ? "" : "code=" + encode(managementKey);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", instanceId);
    o.put("statusQueryGetUri", withQuery(instance, "", code));
    o.put("sendEventPostUri", withQuery(instance + "/raiseEvent/{eventName}", "", code));
    o.put("terminatePostUri", withQuery(instance + "/terminate", "reason={text}", code));
    o.put("rewindPostUri", withQuery(instance + "/rewind", "reason={text}", code));
    o.put("purgeHistoryDeleteUri", withQuery(instance, "", code));
    o.put("restartPostUri", withQuery(instance + "/restart", "", code));
    o.put("suspendPostUri", withQuery(instance + "/suspend", "reason={text}", code));
    o.put("resumePostUri", withQuery(instance + "/resume", "reason={text}", code));
    return o;
  }

  /** The 202 response: payload, {@code Location} = status URL, {@code Retry-After: 10}. */
  static ApiResponse response(String origin, String instanceId, String managementKey) {
    ObjectNode payload = of(origin, instanceId, managementKey);
    return ApiResponse.json(202, payload)
        .header("Location", payload.get("statusQueryGetUri").asText())
        .header("Retry-After", "10");
  }

  private static String withQuery(String url, String first, String code) {
    String q = first.isEmpty() ? code : code.isEmpty() ? first : first + "&" + code;
    return q.isEmpty() ? url : url + "?" + q;
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
