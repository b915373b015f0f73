package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.util.List;

/**
 * One episode of an orchestration for a remote worker to run: the history so far, to replay, and
 * the new events, to apply live. The new events start with an {@link
 * HistoryEvent.OrchestratorStarted} whose timestamp is the code's current time. The execution has
 * started: one of the two lists holds its {@link HistoryEvent.ExecutionStarted} (the engine sends
 * no episode before it); events that reached the instance before a scheduled start may precede it.
 */
public record RemoteEpisode(
    InstanceRecord instance, List<HistoryEvent> pastEvents, List<HistoryEvent> newEvents) {
  public RemoteEpisode {
    pastEvents = List.copyOf(pastEvents);
    newEvents = List.copyOf(newEvents);
  }
}
