package dev.fermata.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.QueryResult;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Many instances, at {@code /runtime/webhooks/durabletask/instances}: list (GET, paged with the
 * {@code x-ms-continuation-token} header; oldest first, or newest first with Fermata's {@code
 * newestFirst=true}) and purge by filter (DELETE).
 */
final class InstanceQueryRoutes {
  static final String CONTINUATION_HEADER = "x-ms-continuation-token";
  private static final String INSTANCES = "runtime/webhooks/durabletask/instances";

  private final FermataClient client;

  InstanceQueryRoutes(FermataClient client) {
    this.client = client;
  }

  void register(Router router) {
    router.add("GET", INSTANCES, this::list);
    router.add("DELETE", INSTANCES, this::purge);
  }

  private ApiResponse list(ApiRequest req) {
    boolean showInput = req.boolParam("showInput", true);
    Integer top = req.intParam("top", 1, InstanceQuery.MAX_PAGE_SIZE);
    String token = req.header(CONTINUATION_HEADER);
    InstanceQuery query =
        filter(req)
            .withIncludeInputs(showInput)
            .withPageSize(top == null ? InstanceQuery.DEFAULT_PAGE_SIZE : top)
            .withContinuationToken(emptyToNull(token == null ? null : token.trim()))
            .withNewestFirst(req.boolParam("newestFirst", false));
    QueryResult page = client.query(query);
    ArrayNode body = Json.MAPPER.createArrayNode();
    for (InstanceState s : page.instances()) {
      body.add(StatusView.of(s, showInput));
    }
    ApiResponse response = ApiResponse.json(200, body);
    if (page.continuationToken() != null && !page.continuationToken().isEmpty()) {
      response.header(CONTINUATION_HEADER, page.continuationToken());
    }
    return response;
  }

  /**
   * The filters of a list request: Durable Functions' {@code runtimeStatus}, {@code
   * createdTimeFrom}, {@code createdTimeTo} and {@code instanceIdPrefix}, and Fermata's {@code
   * name} (the orchestrator's, exactly).
   */
  static InstanceQuery filter(ApiRequest req) {
    return InstanceQuery.all()
        .withStatuses(statuses(req))
        .withName(emptyToNull(req.query("name")))
        .withCreatedRange(req.timeParam("createdTimeFrom"), req.timeParam("createdTimeTo"))
        .withInstanceIdPrefix(emptyToNull(req.query("instanceIdPrefix")));
  }

  /** createdTimeFrom is required; 404 when nothing matched. Unfinished instances are kept. */
  private ApiResponse purge(ApiRequest req) {
    Instant from = req.timeParam("createdTimeFrom");
    if (from == null) {
      throw ApiException.badRequest(
          "missing_parameter", "Purging by filter needs the createdTimeFrom query parameter");
    }
    InstanceQuery filter =
        InstanceQuery.all()
            .withCreatedRange(from, req.timeParam("createdTimeTo"))
            .withStatuses(statuses(req));
    int n = client.purge(filter);
    if (n == 0) {
      throw new ApiException(404, "no_instances", "No finished instance matches the filter");
    }
    return InstanceRoutes.deleted(n);
  }

  /** runtimeStatus as a comma list, possibly repeated; empty means any. */
  private static Set<OrchestrationStatus> statuses(ApiRequest req) {
    Set<OrchestrationStatus> out = EnumSet.noneOf(OrchestrationStatus.class);
    for (String value : req.queryAll("runtimeStatus")) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          try {
            out.add(OrchestrationStatus.parse(part));
          } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_parameter", e.getMessage());
          }
        }
      }
    }
    return out;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
