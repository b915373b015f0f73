package dev.fermata.storetest;

import dev.fermata.OrchestrationStatus;
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

/**
 * Builds the checkpoint of one episode. By default it consumes every message of the work item,
 * presents the item's lock token and appends nothing; tests change only what they are about. Unlike
 * {@link Checkpoint.Builder} it starts from a work item and accumulates events one call at a time.
 */
public final class CheckpointBuilder {
  private final String instanceId;
  private long lockToken;
  private List<Long> consumed;
  private boolean deadLetter;
  private String deadLetterReason;
  private boolean resetHistory;
  private int firstEventIndex;
  private final List<HistoryEvent> events = new ArrayList<>();
  private InstanceRecord instance;
  private final List<ActivityTask> tasks = new ArrayList<>();
  private final List<NewMessage> messages = new ArrayList<>();
  private final List<NewInstance> children = new ArrayList<>();

  private CheckpointBuilder(OrchestrationWorkItem item, int historySize) {
    this.instanceId = item.instance().instanceId();
    this.lockToken = item.lockToken();
    this.consumed = item.messages().stream().map(InboxMessage::id).toList();
    this.firstEventIndex = historySize;
    this.instance = item.instance();
  }

  /** An episode of {@code item} whose events go after the {@code historySize} stored ones. */
  public static CheckpointBuilder episode(OrchestrationWorkItem item, int historySize) {
    return new CheckpointBuilder(item, historySize);
  }

  public CheckpointBuilder events(HistoryEvent... newEvents) {
    events.addAll(List.of(newEvents));
    return this;
  }

  public CheckpointBuilder status(OrchestrationStatus status, Instant now) {
    instance = instance.withStatus(status, now);
    return this;
  }

  public CheckpointBuilder instance(InstanceRecord row) {
    instance = row;
    return this;
  }

  public CheckpointBuilder consuming(List<Long> messageIds) {
    consumed = List.copyOf(messageIds);
    return this;
  }

  public CheckpointBuilder lockToken(long token) {
    lockToken = token;
    return this;
  }

  public CheckpointBuilder firstEventIndex(int index) {
    firstEventIndex = index;
    return this;
  }

  /** Dead-letters the consumed messages with {@code reason}. */
  public CheckpointBuilder deadLetter(String reason) {
    deadLetterReason = reason;
    return deadLetter();
  }

  public CheckpointBuilder deadLetter() {
    deadLetter = true;
    return this;
  }

  public CheckpointBuilder resetHistory() {
    resetHistory = true;
    firstEventIndex = 0;
    return this;
  }

  public CheckpointBuilder task(ActivityTask task) {
    tasks.add(task);
    return this;
  }

  public CheckpointBuilder message(NewMessage message) {
    messages.add(message);
    return this;
  }

  public CheckpointBuilder child(NewInstance child) {
    children.add(child);
    return this;
  }

  public Checkpoint build() {
    return Checkpoint.builder(instanceId, lockToken)
        .consumedMessageIds(consumed)
        .deadLetter(deadLetter)
        .deadLetterReason(deadLetterReason)
        .resetHistory(resetHistory)
        .firstEventIndex(firstEventIndex)
        .newEvents(events)
        .instance(instance)
        .newTasks(tasks)
        .newMessages(messages)
        .newInstances(children)
        .build();
  }
}
