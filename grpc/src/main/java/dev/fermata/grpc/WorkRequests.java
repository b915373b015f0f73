package dev.fermata.grpc;

import dev.fermata.grpc.protocol.OrchestratorService.OrchestratorRequest;
import dev.fermata.spi.RemoteEpisode;

/** Builds the work items the engine's remote calls become. */
final class WorkRequests {
  private WorkRequests() {}

  /** An episode as an SDK replays it: the history so far, then the new events live. */
  static OrchestratorRequest of(RemoteEpisode episode) {
    String id = episode.instance().instanceId();
    OrchestratorRequest.Builder request =
        OrchestratorRequest.newBuilder()
            .setInstanceId(id)
            .addAllPastEvents(ProtoHistory.toProto(episode.pastEvents(), id))
            .addAllNewEvents(ProtoHistory.toProto(episode.newEvents(), id));
    ProtoValues.setString(episode.instance().executionId(), request::setExecutionId);
    return request.build();
  }
}
