package dev.fermata.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;

/** Durable Functions' status object for one instance. */
final class StatusView {
  private StatusView() {}

  static ObjectNode of(InstanceState s, boolean showInput) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("name", s.getName());
    o.put("instanceId", s.getInstanceId());
    o.put("runtimeStatus", s.getStatus().displayName());
    o.set("input", showInput ? Json.payload(s.getSerializedInput()) : NullNode.getInstance());
    o.set("customStatus", Json.payload(s.getSerializedCustomStatus()));
    o.set("output", output(s));
    o.put("createdTime", Json.statusTime(s.getCreatedAt()));
    o.put("lastUpdatedTime", Json.statusTime(s.getLastUpdatedAt()));
    if (s.getVersion() != null) {
      o.put("version", s.getVersion()); // only when set: Durable Functions shows none
    }
    return o;
  }

  /** Null until terminal; then the result, the failure details, or the termination reason. */
  private static JsonNode output(InstanceState s) {
    OrchestrationStatus status = s.getStatus();
    if (status == OrchestrationStatus.FAILED) {
      return Json.failure(s.getFailureDetails(), false);
    }
    if (status == OrchestrationStatus.TERMINATED) {
      JsonNode reason = Json.payload(s.getSerializedOutput());
      return reason.isNull() || reason.isTextual() ? reason : TextNode.valueOf(reason.toString());
    }
    if (status.isTerminal()) {
      return Json.payload(s.getSerializedOutput());
    }
    return NullNode.getInstance();
  }
}
