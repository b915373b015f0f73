package dev.fermata.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fermata.FermataClient;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntityMetadata;
import dev.fermata.entities.EntityQuery;
import dev.fermata.entities.EntityQueryResult;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Durable entities, at {@code /runtime/webhooks/durabletask/entities}: read one entity's state
 * (GET), list entities (GET, optionally by name, paged with the {@code x-ms-continuation-token}
 * header), signal an operation (POST) and signal {@code delete} (DELETE). A key of {@code $} means
 * the empty key, as in Durable Functions.
 */
final class EntityRoutes {
  private static final String ENTITIES = "runtime/webhooks/durabletask/entities";
  private static final int MAX_PAGE_SIZE = 1000;

  private final FermataClient client;

  EntityRoutes(FermataClient client) {
    this.client = client;
  }

  void register(Router router) {
    router.add("GET", ENTITIES, this::list);
    router.add("GET", ENTITIES + "/{name}", this::list);
    router.add("GET", ENTITIES + "/{name}/{key}", this::read);
    router.add("POST", ENTITIES + "/{name}/{key}", this::signal);
    router.add("DELETE", ENTITIES + "/{name}/{key}", this::delete);
  }

  private static EntityId entityId(ApiRequest req) {
    String key = req.pathParam("key");
    return new EntityId(req.pathParam("name"), key.equals("$") ? "" : key);
  }

  /** 200 with the state as the body; 404 when the entity has no state. */
  private ApiResponse read(ApiRequest req) {
    EntityId id = entityId(req);
    return client
        .getEntity(id, JsonNode.class)
        .map(snapshot -> ApiResponse.json(200, snapshot.state()))
        .orElseThrow(
            () -> new ApiException(404, "entity_not_found", "Entity " + id + " does not exist"));
  }

  private ApiResponse list(ApiRequest req) {
    Integer top = req.intParam("top", 1, MAX_PAGE_SIZE);
    String token = req.header(InstanceQueryRoutes.CONTINUATION_HEADER);
    String name = req.pathParam("name");
    boolean fetchState = req.boolParam("fetchState", false);
    EntityQuery query =
        new EntityQuery(
            name,
            req.timeParam("lastOperationTimeFrom"),
            req.timeParam("lastOperationTimeTo"),
            top == null ? EntityQuery.DEFAULT_PAGE_SIZE : top,
            token == null || token.isBlank() ? null : token.trim(),
            fetchState,
            false);
    EntityQueryResult page = client.queryEntities(query);
    ArrayNode body = Json.MAPPER.createArrayNode();
    for (EntityMetadata m : page.entities()) {
      ObjectNode entry = body.addObject();
      ObjectNode entityId = entry.putObject("entityId");
      entityId.put("name", m.id().name());
      entityId.put("key", m.id().key());
      entry.put("lastOperationTime", Json.statusTime(m.lastOperationTime()));
      if (fetchState) {
        entry.set("state", Json.payload(m.stateJson()));
      }
    }
    ApiResponse response = ApiResponse.json(200, body);
    if (page.continuationToken() != null) {
      response.header(InstanceQueryRoutes.CONTINUATION_HEADER, page.continuationToken());
    }
    return response;
  }

  /** Body: JSON with {@code Content-Type: application/json}, otherwise taken as a string. */
  private ApiResponse signal(ApiRequest req) {
    String op = req.query("op");
    if (op == null || op.isEmpty()) {
      throw ApiException.badRequest(
          "missing_parameter", "Signalling an entity needs the op query parameter");
    }
    byte[] body = req.body();
    String contentType = req.header("Content-Type");
    JsonNode input;
    if (contentType != null
        && contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/json")) {
      input = Json.parseBody(body, "operation input");
    } else {
      input = body.length == 0 ? null : TextNode.valueOf(new String(body, StandardCharsets.UTF_8));
    }
    client.signalEntity(entityId(req), op, input);
    return ApiResponse.empty(202);
  }

  private ApiResponse delete(ApiRequest req) {
    client.signalEntity(entityId(req), "delete", null);
    return ApiResponse.empty(202);
  }
}
