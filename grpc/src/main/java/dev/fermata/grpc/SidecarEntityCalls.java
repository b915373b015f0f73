package dev.fermata.grpc;

import static dev.fermata.grpc.ProtoValues.given;
import static dev.fermata.grpc.ProtoValues.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.StringValue;
import dev.fermata.FermataClient;
import dev.fermata.entities.CleanEntityStorageResult;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntityQuery;
import dev.fermata.entities.EntityQueryResult;
import dev.fermata.grpc.protocol.OrchestratorService.CleanEntityStorageRequest;
import dev.fermata.grpc.protocol.OrchestratorService.CleanEntityStorageResponse;
import dev.fermata.grpc.protocol.OrchestratorService.EntityMetadata;
import dev.fermata.grpc.protocol.OrchestratorService.GetEntityRequest;
import dev.fermata.grpc.protocol.OrchestratorService.GetEntityResponse;
import dev.fermata.grpc.protocol.OrchestratorService.QueryEntitiesRequest;
import dev.fermata.grpc.protocol.OrchestratorService.QueryEntitiesResponse;
import dev.fermata.grpc.protocol.OrchestratorService.SignalEntityRequest;
import java.time.Instant;
import java.util.function.Function;

/**
 * The protocol's entity client calls, on the engine's {@link FermataClient}. Entity ids travel as
 * their text form, {@code @name@key}, which is also Fermata's.
 */
final class SidecarEntityCalls {
  private final FermataClient client;
  private final Function<StringValue, JsonNode> payload;

  /**
   * @param payload parses an SDK payload (JSON text) into the value the client takes
   */
  SidecarEntityCalls(FermataClient client, Function<StringValue, JsonNode> payload) {
    this.client = client;
    this.payload = payload;
  }

  void signal(SignalEntityRequest request) {
    client.signalEntity(
        EntityId.parse(request.getInstanceId()),
        request.getName(),
        request.hasInput() ? payload.apply(request.getInput()) : null,
        given(request.hasScheduledTime(), request.getScheduledTime()));
  }

  GetEntityResponse get(GetEntityRequest request) {
    EntityId id = EntityId.parse(request.getInstanceId());
    return client
        .getEntity(id, JsonNode.class)
        .map(
            s ->
                GetEntityResponse.newBuilder()
                    .setExists(true)
                    .setEntity(
                        metadata(
                            id,
                            s.lastOperationTime(),
                            null,
                            request.getIncludeState() ? s.state().toString() : null))
                    .build())
        .orElse(GetEntityResponse.newBuilder().setExists(false).build());
  }

  /**
   * One page of entities. Fermata selects by entity name; a prefix that ends inside a name or a key
   * is applied to the page afterwards, so such pages may be short (the SDKs page on).
   */
  QueryEntitiesResponse query(QueryEntitiesRequest request) {
    var q = request.getQuery();
    String prefix = string(q.hasInstanceIdStartsWith(), q.getInstanceIdStartsWith());
    String name = null;
    if (prefix != null && prefix.startsWith("@") && prefix.indexOf('@', 1) > 0) {
      name = prefix.substring(1, prefix.indexOf('@', 1));
    }
    EntityQuery query =
        new EntityQuery(
            name,
            given(q.hasLastModifiedFrom(), q.getLastModifiedFrom()),
            given(q.hasLastModifiedTo(), q.getLastModifiedTo()),
            q.hasPageSize() && q.getPageSize().getValue() > 0
                ? q.getPageSize().getValue()
                : EntityQuery.DEFAULT_PAGE_SIZE,
            string(q.hasContinuationToken(), q.getContinuationToken()),
            q.getIncludeState(),
            q.getIncludeTransient());
    EntityQueryResult page = client.queryEntities(query);
    QueryEntitiesResponse.Builder response = QueryEntitiesResponse.newBuilder();
    for (var e : page.entities()) {
      if (prefix == null || e.id().toString().startsWith(prefix)) {
        response.addEntities(
            metadata(
                e.id(),
                e.lastOperationTime(),
                e.lockedBy(),
                q.getIncludeState() ? e.stateJson() : null));
      }
    }
    if (page.continuationToken() != null) {
      response.setContinuationToken(StringValue.of(page.continuationToken()));
    }
    return response.build();
  }

  /** Fermata cleans the whole store in one call, so there is never a continuation. */
  CleanEntityStorageResponse clean(CleanEntityStorageRequest request) {
    CleanEntityStorageResult result =
        client.cleanEntityStorage(
            request.getRemoveEmptyEntities(), request.getReleaseOrphanedLocks());
    return CleanEntityStorageResponse.newBuilder()
        .setEmptyEntitiesRemoved(result.emptyEntitiesRemoved())
        .setOrphanedLocksReleased(result.orphanedLocksReleased())
        .build();
  }

  private static EntityMetadata metadata(
      EntityId id, Instant lastOperation, String lockedBy, String state) {
    EntityMetadata.Builder m = EntityMetadata.newBuilder().setInstanceId(id.toString());
    ProtoValues.setTimestamp(lastOperation, m::setLastModifiedTime);
    ProtoValues.setString(lockedBy, m::setLockedBy);
    ProtoValues.setString(state, m::setSerializedState);
    return m.build();
  }
}
