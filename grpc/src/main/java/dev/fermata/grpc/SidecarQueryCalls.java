package dev.fermata.grpc;

import static dev.fermata.grpc.ProtoValues.given;
import static dev.fermata.grpc.ProtoValues.string;

import com.google.protobuf.StringValue;
import dev.fermata.FermataClient;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.grpc.protocol.OrchestratorService;
import dev.fermata.grpc.protocol.OrchestratorService.ListInstanceIdsRequest;
import dev.fermata.grpc.protocol.OrchestratorService.ListInstanceIdsResponse;
import dev.fermata.grpc.protocol.OrchestratorService.PurgeInstancesRequest;
import dev.fermata.grpc.protocol.OrchestratorService.PurgeInstancesResponse;
import dev.fermata.grpc.protocol.OrchestratorService.QueryInstancesRequest;
import dev.fermata.grpc.protocol.OrchestratorService.QueryInstancesResponse;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The protocol's calls over many instances (query, list ids, purge), on the engine's client. */
final class SidecarQueryCalls {
  private final FermataClient client;

  SidecarQueryCalls(FermataClient client) {
    this.client = client;
  }

  QueryInstancesResponse query(QueryInstancesRequest request) {
    OrchestratorService.InstanceQuery q = request.getQuery();
    InstanceQuery query =
        InstanceQuery.all()
            .withStatuses(statuses(q.getRuntimeStatusList()))
            .withCreatedRange(
                given(q.hasCreatedTimeFrom(), q.getCreatedTimeFrom()),
                given(q.hasCreatedTimeTo(), q.getCreatedTimeTo()))
            .withIncludeInputs(q.getFetchInputsAndOutputs())
            .withPageSize(pageSize(q.getMaxInstanceCount()));
    String prefix = string(q.hasInstanceIdPrefix(), q.getInstanceIdPrefix());
    if (prefix != null && !prefix.isEmpty()) {
      query = query.withInstanceIdPrefix(prefix);
    }
    String token = string(q.hasContinuationToken(), q.getContinuationToken());
    if (token != null && !token.isEmpty()) {
      query = query.withContinuationToken(token);
    }
    FermataClient.QueryResult result = client.query(query);
    QueryInstancesResponse.Builder response = QueryInstancesResponse.newBuilder();
    for (InstanceState s : result.instances()) {
      response.addOrchestrationState(
          ProtoInstances.toProto(s.record(), q.getFetchInputsAndOutputs()));
    }
    if (result.continuationToken() != null) {
      response.setContinuationToken(StringValue.of(result.continuationToken()));
    }
    return response.build();
  }

  /**
   * One page of instance ids. The completion-time range is applied to each page the store returns,
   * so such pages may be short; the key of the last page is empty.
   */
  ListInstanceIdsResponse listIds(ListInstanceIdsRequest request) {
    InstanceQuery query =
        InstanceQuery.all()
            .withStatuses(statuses(request.getRuntimeStatusList()))
            .withPageSize(pageSize(request.getPageSize()));
    String key = string(request.hasLastInstanceKey(), request.getLastInstanceKey());
    if (key != null && !key.isEmpty()) {
      query = query.withContinuationToken(key);
    }
    Instant from = given(request.hasCompletedTimeFrom(), request.getCompletedTimeFrom());
    Instant to = given(request.hasCompletedTimeTo(), request.getCompletedTimeTo());
    FermataClient.QueryResult result = client.query(query);
    ListInstanceIdsResponse.Builder response = ListInstanceIdsResponse.newBuilder();
    for (InstanceState s : result.instances()) {
      Instant completed = s.record().completedAt();
      boolean inRange =
          (from == null && to == null)
              || (completed != null
                  && (from == null || !completed.isBefore(from))
                  && (to == null || !completed.isAfter(to)));
      if (inRange) { // instance queries never list entities
        response.addInstanceIds(s.getInstanceId());
      }
    }
    if (result.continuationToken() != null) {
      response.setLastInstanceKey(StringValue.of(result.continuationToken()));
    }
    return response.build();
  }

  /** Purges one instance, a list of them, or those a filter selects. */
  PurgeInstancesResponse purge(PurgeInstancesRequest request) {
    int deleted = 0;
    switch (request.getRequestCase()) {
      case PURGEINSTANCEFILTER -> {
        var f = request.getPurgeInstanceFilter();
        deleted =
            client.purge(
                InstanceQuery.all()
                    .withStatuses(statuses(f.getRuntimeStatusList()))
                    .withCreatedRange(
                        given(f.hasCreatedTimeFrom(), f.getCreatedTimeFrom()),
                        given(f.hasCreatedTimeTo(), f.getCreatedTimeTo())));
      }
      case INSTANCEBATCH -> {
        for (String id : request.getInstanceBatch().getInstanceIdsList()) {
          deleted += client.purge(id) ? 1 : 0;
        }
      }
      case INSTANCEID, REQUEST_NOT_SET -> deleted = client.purge(request.getInstanceId()) ? 1 : 0;
    }
    return PurgeInstancesResponse.newBuilder().setDeletedInstanceCount(deleted).build();
  }

  /** The page size a caller asked for, within the engine's bounds; 0 (unset) is the default. */
  private static int pageSize(int requested) {
    return requested > 0
        ? Math.min(requested, InstanceQuery.MAX_PAGE_SIZE)
        : InstanceQuery.DEFAULT_PAGE_SIZE;
  }

  private static Set<OrchestrationStatus> statuses(
      List<OrchestratorService.OrchestrationStatus> statuses) {
    Set<OrchestrationStatus> result = EnumSet.noneOf(OrchestrationStatus.class);
    for (OrchestratorService.OrchestrationStatus s : statuses) {
      result.add(ProtoStatus.fromProto(s));
    }
    return result;
  }
}
