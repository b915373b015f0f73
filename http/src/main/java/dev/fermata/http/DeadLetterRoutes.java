package dev.fermata.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fermata.DeadLetterInfo;
import dev.fermata.FermataClient;
import dev.fermata.InstanceQuery;
import java.util.List;

/**
 * Dead letters, under {@code /runtime/webhooks/durabletask/deadletters}: list them (GET; paged with
 * {@code top} and the {@code x-ms-continuation-token} header, whose value is the last id of the
 * page) and re-drive one ({@code POST .../{id}/redrive}).
 */
final class DeadLetterRoutes {
  private static final String DEAD_LETTERS = "runtime/webhooks/durabletask/deadletters";

  private final FermataClient client;

  DeadLetterRoutes(FermataClient client) {
    this.client = client;
  }

  void register(Router router) {
    router.add("GET", DEAD_LETTERS, this::list);
    router.add("POST", DEAD_LETTERS + "/{id}/redrive", this::redrive);
  }

  /** 200 with a JSON array, oldest first; the token header is set when the page is full. */
  private ApiResponse list(ApiRequest req) {
    Integer top = req.intParam("top", 1, InstanceQuery.MAX_PAGE_SIZE);
    int limit = top == null ? InstanceQuery.DEFAULT_PAGE_SIZE : top;
    String token = req.header(InstanceQueryRoutes.CONTINUATION_HEADER);
    long after = token == null || token.isEmpty() ? 0 : id(token, "continuation token");
    List<DeadLetterInfo> page = client.listDeadLetters(req.query("instanceId"), after, limit);
    ArrayNode body = Json.MAPPER.createArrayNode();
    for (DeadLetterInfo d : page) {
      ObjectNode row = body.addObject();
      row.put("id", d.id());
      row.put("instanceId", d.instanceId());
      row.put("kind", d.kind());
      row.put("name", d.name());
      row.put("deliveryCount", d.deliveryCount());
      row.put("deadLetteredTime", Json.historyTime(d.deadLetteredAt()));
      row.put("reason", d.reason());
      row.put("redrivable", d.redrivable());
    }
    ApiResponse response = ApiResponse.json(200, body);
    if (page.size() == limit) {
      response.header(
          InstanceQueryRoutes.CONTINUATION_HEADER, Long.toString(page.get(limit - 1).id()));
    }
    return response;
  }

  /** 202 when re-driven; 404 for an unknown id; 409 for an activity's dead letter. */
  private ApiResponse redrive(ApiRequest req) {
    long id = id(req.pathParam("id"), "dead letter id");
    if (!client.redriveDeadLetter(id)) {
      throw new ApiException(404, "dead_letter_not_found", "No dead letter with id " + id);
    }
    return ApiResponse.empty(202);
  }

  private static long id(String text, String what) {
    try {
      long id = Long.parseLong(text.trim());
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest(
        "invalid_parameter",
        "The " + what + " must be a positive whole number, got '" + text + "'");
  }
}
