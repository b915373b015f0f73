package dev.fermata.server;

import dev.fermata.history.HistoryEvent;

/** One readable line per history event, for terminals. */
final class HistoryLines {
  private HistoryLines() {}

  static String describe(HistoryEvent e) {
    String detail =
        switch (e) {
          case HistoryEvent.ExecutionStarted s -> s.name() + " input=" + s.input();
          case HistoryEvent.ExecutionCompleted c ->
              c.status().displayName()
                  + (c.failure() != null ? " " + c.failure().summary() : " result=" + c.result());
          case HistoryEvent.TaskScheduled t ->
              "#" + t.eventId() + " " + t.name() + " input=" + t.input();
          case HistoryEvent.TaskCompleted t -> "#" + t.taskScheduledId() + " result=" + t.result();
          case HistoryEvent.TaskFailed t -> "#" + t.taskScheduledId() + " " + t.failure().summary();
          case HistoryEvent.TimerCreated t -> "#" + t.eventId() + " fireAt=" + t.fireAt();
          case HistoryEvent.TimerFired t -> "#" + t.timerId();
          case HistoryEvent.EventRaised r -> r.name() + " input=" + r.input();
          case HistoryEvent.SubOrchestrationInstanceCreated s ->
              "#" + s.eventId() + " " + s.name() + " id=" + s.instanceId();
          default -> "";
        };
    return String.format("%-24s %-34s %s", e.timestamp(), e.eventType(), detail).stripTrailing();
  }
}
