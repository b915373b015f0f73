package dev.fermata.internal.worker;

import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Collects what one episode produced; every message of the work item is consumed. */
final class CheckpointBuilder {
  final OrchestrationWorkItem item;
  final Instant now;
  private final List<HistoryEvent> events = new ArrayList<>();
  private final List<ActivityTask> tasks = new ArrayList<>();
  private final List<NewMessage> messages = new ArrayList<>();
  private final List<NewInstance> instances = new ArrayList<>();
  private int firstEventIndex;
  private boolean resetHistory;
  private boolean deadLetter;
  private String deadLetterReason;

  CheckpointBuilder(OrchestrationWorkItem item, Instant now) {
    this.item = item;
    this.now = now;
  }

  void startAt(int historyLength) {
    firstEventIndex = historyLength;
  }

  /** The stored history is replaced by what is recorded from here on. */
  void resetHistory() {
    resetHistory = true;
    firstEventIndex = 0;
    events.clear();
  }

  /** The consumed messages go to the dead letters, with {@code reason}. */
  void deadLetter(String reason) {
    deadLetter = true;
    deadLetterReason = reason;
  }

  void record(HistoryEvent event) {
    events.add(event);
  }

  void task(String instanceId, String executionId, int taskId, String name, String input) {
    // The activity continues the trace the instance belongs to.
    tasks.add(
        new ActivityTask(
            instanceId, executionId, taskId, name, input, item.instance().traceParent()));
  }

  void send(String instanceId, String executionId, Instant visibleAt, HistoryEvent event) {
    messages.add(new NewMessage(instanceId, executionId, visibleAt, event));
  }

  void startInstance(NewInstance request) {
    instances.add(request);
  }

  /** The history as it will be once committed, given the one stored now. */
  List<HistoryEvent> historyAfter(List<HistoryEvent> stored) {
    List<HistoryEvent> all = new ArrayList<>(stored.subList(0, firstEventIndex));
    all.addAll(events);
    return all;
  }

  int nextHistoryLength() {
    return firstEventIndex + events.size();
  }

  Checkpoint build(InstanceRecord instance) {
    return Checkpoint.builder(instance.instanceId(), item.lockToken())
        .consumedMessageIds(item.messages().stream().map(InboxMessage::id).toList())
        .deadLetter(deadLetter)
        .deadLetterReason(deadLetterReason)
        .resetHistory(resetHistory)
        .firstEventIndex(firstEventIndex)
        .newEvents(events)
        .instance(instance)
        .newTasks(tasks)
        .newMessages(messages)
        .newInstances(instances)
        .build();
  }

  /** Consumes the messages and changes nothing else. */
  Checkpoint unchanged(InstanceRecord instance) {
    events.clear();
    tasks.clear();
    messages.clear();
    instances.clear();
    return build(instance);
  }
}
