package dev.fermata.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fermata.FermataClient;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import java.util.Locale;

/**
 * One instance, under {@code /runtime/webhooks/durabletask/instances/{id}}: status (GET), purge
 * (DELETE), and the control operations (raiseEvent, terminate, suspend, resume, rewind, restart).
 * Terminate, suspend and resume take {@code recursive=true} to reach sub-orchestrations too.
 */
final class InstanceRoutes {
  private static final String INSTANCE = "runtime/webhooks/durabletask/instances/{id}";

  private final FermataClient client;
  private final String managementKey;

  InstanceRoutes(FermataClient client, String managementKey) {
    this.client = client;
    this.managementKey = managementKey;
  }

  void register(Router router) {
    router.add("GET", INSTANCE, this::status);
    router.add("DELETE", INSTANCE, this::purge);
    router.add("POST", INSTANCE + "/raiseEvent/{eventName}", this::raiseEvent);
    router.add("POST", INSTANCE + "/terminate", this::terminate);
    router.add("POST", INSTANCE + "/suspend", this::suspend);
    router.add("POST", INSTANCE + "/resume", this::resume);
    router.add("POST", INSTANCE + "/rewind", this::rewind);
    router.add("POST", INSTANCE + "/restart", this::restart);
  }

  /** 202 + Location + Retry-After: 5 while running-like; 200 when finished; 404 unknown. */
  private ApiResponse status(ApiRequest req) {
    String id = req.pathParam("id");
    boolean showHistory = req.boolParam("showHistory", false);
    boolean showHistoryOutput = req.boolParam("showHistoryOutput", false);
    boolean showInput = req.boolParam("showInput", true);
    boolean failAs500 = req.boolParam("returnInternalServerErrorOnFailure", false);
    InstanceState state = client.getInstance(id, true).orElseThrow(() -> notFound(id));
    ObjectNode body = StatusView.of(state, showInput);
    if (showHistory) {
      body.set(
          "historyEvents",
          HistoryEventsView.of(client.getHistory(id), showInput, showHistoryOutput));
    }
    OrchestrationStatus s = state.getStatus();
    if (s.isRunningLike()) {
      return ApiResponse.json(202, body)
          .header("Location", req.requestUrl())
          .header("Retry-After", "5");
    }
    return ApiResponse.json(s == OrchestrationStatus.FAILED && failAs500 ? 500 : 200, body);
  }

  /** 200 {"instancesDeleted":1}; 404 unknown; 409 while it has not finished. */
  private ApiResponse purge(ApiRequest req) {
    String id = req.pathParam("id");
    if (!client.purge(id)) {
      throw notFound(id);
    }
    return deleted(1);
  }

  static ApiResponse deleted(int n) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("instancesDeleted", n);
    return ApiResponse.json(200, body);
  }

  private ApiResponse raiseEvent(ApiRequest req) throws Exception {
    String contentType = req.header("Content-Type");
    if (contentType == null
        || !contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw ApiException.badRequest(
          "unsupported_content_type",
          "raiseEvent needs Content-Type: application/json, got "
              + (contentType == null ? "none" : "'" + contentType + "'"));
    }
    JsonNode data = Json.parseBody(req.body(), "event data");
    client.raiseEvent(req.pathParam("id"), req.pathParam("eventName"), data);
    return accepted();
  }

  private ApiResponse terminate(ApiRequest req) {
    client.terminate(req.pathParam("id"), req.query("reason"), req.boolParam("recursive", false));
    return accepted();
  }

  private ApiResponse suspend(ApiRequest req) {
    client.suspend(req.pathParam("id"), req.query("reason"), req.boolParam("recursive", false));
    return accepted();
  }

  private ApiResponse resume(ApiRequest req) {
    client.resume(req.pathParam("id"), req.query("reason"), req.boolParam("recursive", false));
    return accepted();
  }

  private ApiResponse rewind(ApiRequest req) {
    client.rewind(req.pathParam("id"), req.query("reason"));
    return accepted();
  }

  /**
   * Starts the instance again; 202 with the new instance's check-status payload (or waits, as the
   * start route does, when {@code timeout} and {@code pollingInterval} are given).
   */
  private ApiResponse restart(ApiRequest req) {
    boolean newId = req.boolParam("restartWithNewInstanceId", true);
    Integer timeout = req.intParam("timeout", 0, OrchestratorStartRoutes.MAX_WAIT_SECONDS);
    Integer polling = req.intParam("pollingInterval", 0, OrchestratorStartRoutes.MAX_WAIT_SECONDS);
    OrchestratorStartRoutes.checkWait(timeout, polling);
    String id = client.restart(req.pathParam("id"), newId);
    if (timeout == null || polling == null) {
      return CheckStatusPayload.response(req.origin(), id, managementKey);
    }
    return OrchestratorStartRoutes.waitOrCheckStatus(
        req, id, java.time.Duration.ofSeconds(timeout), client, managementKey);
  }

  private static ApiResponse accepted() {
    return ApiResponse.empty(202);
  }

  static ApiException notFound(String id) {
    return new ApiException(404, "instance_not_found", "No instance with id '" + id + "'");
  }
}
