package dev.fermata.grpc;

import dev.fermata.grpc.protocol.OrchestratorService.EntityBatchRequest;
import dev.fermata.grpc.protocol.OrchestratorService.OperationRequest;
import dev.fermata.grpc.protocol.OrchestratorService.OrchestratorRequest;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.RemoteEntityBatch;
import dev.fermata.spi.RemoteEpisode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds the work items the engine's remote calls become. */
final class WorkRequests {
  private WorkRequests() {}

  /** An episode as an SDK replays it: the history so far, then the new events live. */
  static OrchestratorRequest of(RemoteEpisode episode) {
    String id = episode.instance().instanceId();
    Split split = startFirst(episode.pastEvents(), episode.newEvents());
    Map<Integer, String> requestIds =
        ProtoHistory.requestIds(List.of(episode.pastEvents(), episode.newEvents()));
    OrchestratorRequest.Builder request =
        OrchestratorRequest.newBuilder()
            .setInstanceId(id)
            .addAllPastEvents(ProtoHistory.toProto(split.past(), id, requestIds))
            .addAllNewEvents(ProtoHistory.toProto(split.fresh(), id, requestIds));
    ProtoValues.setString(episode.instance().executionId(), request::setExecutionId);
    return request.build();
  }

  /**
   * An entity batch: the state and the operations, each with a request id of its own (the SDKs key
   * their per-operation bookkeeping by it).
   */
  static EntityBatchRequest of(RemoteEntityBatch batch) {
    EntityBatchRequest.Builder request =
        EntityBatchRequest.newBuilder().setInstanceId(batch.entity().toString());
    ProtoValues.setString(batch.state(), request::setEntityState);
    for (RemoteEntityBatch.Operation op : batch.operations()) {
      OperationRequest.Builder o =
          OperationRequest.newBuilder()
              .setOperation(op.name())
              .setRequestId(UUID.randomUUID().toString());
      ProtoValues.setString(op.input(), o::setInput);
      request.addOperations(o);
    }
    return request.build();
  }

  /** Past and new events as sent. */
  record Split(List<HistoryEvent> past, List<HistoryEvent> fresh) {}

  /**
   * The SDKs expect an execution's ExecutionStarted before anything else that happened to it. An
   * event raised before a scheduled start reaches the instance first, and the engine stores it
   * where it arrived; it is sent right after the ExecutionStarted instead, as new if the start is
   * new (the code has not seen it), which is where the engine's own runner would have held it.
   */
  static Split startFirst(List<HistoryEvent> past, List<HistoryEvent> fresh) {
    int startInPast = indexOfStart(past);
    if (startInPast >= 0) {
      List<HistoryEvent> held = heldBefore(past, startInPast);
      return held.isEmpty()
          ? new Split(past, fresh)
          : new Split(reorder(past, startInPast, held), fresh);
    }
    int startInFresh = indexOfStart(fresh);
    if (startInFresh < 0) {
      return new Split(past, fresh);
    }
    List<HistoryEvent> held = heldBefore(past, past.size());
    held.addAll(heldBefore(fresh, startInFresh));
    if (held.isEmpty()) {
      return new Split(past, fresh);
    }
    List<HistoryEvent> pastLeft =
        past.stream().filter(HistoryEvent.OrchestratorStarted.class::isInstance).toList();
    return new Split(pastLeft, reorder(fresh, startInFresh, held));
  }

  /** The events among the first {@code end} of {@code events} that are not episode markers. */
  private static List<HistoryEvent> heldBefore(List<HistoryEvent> events, int end) {
    List<HistoryEvent> held = new ArrayList<>();
    for (HistoryEvent e : events.subList(0, end)) {
      if (!(e instanceof HistoryEvent.OrchestratorStarted)) {
        held.add(e);
      }
    }
    return held;
  }

  /**
   * {@code events} with {@code held} right after the ExecutionStarted at {@code start}, and only
   * the OrchestratorStarted markers of what came before it in {@code events}.
   */
  private static List<HistoryEvent> reorder(
      List<HistoryEvent> events, int start, List<HistoryEvent> held) {
    List<HistoryEvent> out = new ArrayList<>(events.size() + held.size());
    for (int i = 0; i < events.size(); i++) {
      HistoryEvent e = events.get(i);
      if (i < start && !(e instanceof HistoryEvent.OrchestratorStarted)) {
        continue;
      }
      out.add(e);
      if (i == start) {
        out.addAll(held);
      }
    }
    return out;
  }

  private static int indexOfStart(List<HistoryEvent> events) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i) instanceof HistoryEvent.ExecutionStarted) {
        return i;
      }
    }
    return -1;
  }
}
