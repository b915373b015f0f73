package dev.fermata.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.WaitTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * {@code POST /runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]} (the
 * management API's start route) and its shorthand {@code POST
 * /api/orchestrators/{functionName}[/{instanceId}]}: starts an instance and answers with the
 * check-status payload, or waits for it when {@code timeout} and {@code pollingInterval} are given.
 */
final class OrchestratorStartRoutes {
  /** Longest wait a request may ask for, in seconds. */
  static final int MAX_WAIT_SECONDS = 3600;

  private final FermataClient client;
  private final String managementKey;

  OrchestratorStartRoutes(FermataClient client, String managementKey) {
    this.client = client;
    this.managementKey = managementKey;
  }

  void register(Router router) {
    for (String base : List.of("api", CheckStatusPayload.BASE_PATH)) {
      router.add("POST", base + "/orchestrators/{functionName}", this::start);
      router.add("POST", base + "/orchestrators/{functionName}/{instanceId}", this::start);
    }
  }

  private ApiResponse start(ApiRequest req) throws Exception {
    String name = req.pathParam("functionName");
    String requestedId = req.pathParam("instanceId");
    Integer timeout = req.intParam("timeout", 0, MAX_WAIT_SECONDS);
    Integer polling = req.intParam("pollingInterval", 0, MAX_WAIT_SECONDS);
    checkWait(timeout, polling);
    JsonNode input = Json.parseBody(req.body(), "orchestration input");
    String id = client.scheduleNew(name, input, new StartOptions(requestedId, null));
    if (timeout == null || polling == null) {
      return CheckStatusPayload.response(req.origin(), id, managementKey);
    }
    return waitOrCheckStatus(req, id, Duration.ofSeconds(timeout), client, managementKey);
  }

  /** pollingInterval must not exceed timeout (Durable Functions rejects that too). */
  static void checkWait(Integer timeout, Integer polling) {
    if (timeout != null && polling != null && polling > timeout) {
      throw ApiException.badRequest(
          "invalid_parameter",
          "pollingInterval ("
              + polling
              + " s) must not be greater than timeout ("
              + timeout
              + " s)");
    }
  }

  /**
   * Durable Functions' {@code WaitForCompletionOrCreateCheckStatusResponse}: Completed in time is
   * 200 with the output as body; Failed or Terminated is the status response; else the 202 payload.
   * The engine notifies on status changes, so there is no polling loop here.
   */
  static ApiResponse waitOrCheckStatus(
      ApiRequest req, String id, Duration timeout, FermataClient client, String key) {
    InstanceState state;
    try {
      state = client.waitForCompletion(id, timeout);
    } catch (WaitTimeoutException e) {
      return CheckStatusPayload.response(req.origin(), id, key);
    }
    if (state.getStatus() == OrchestrationStatus.COMPLETED) {
      return ApiResponse.rawJson(200, state.getSerializedOutput());
    }
    return ApiResponse.json(200, StatusView.of(state, true));
  }
}
