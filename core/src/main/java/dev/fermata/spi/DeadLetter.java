package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * Work the engine gave up on, kept by the store for an operator to look at and, for a message, to
 * re-drive ({@link StoreRules#redrive}).
 *
 * @param id the dead letter's own id (0 before the store assigned one); ids rise in the order work
 *     was dead-lettered, so a listing pages by "after id"
 * @param kind a quarantined inbox message, or an activity task delivered too often
 * @param sourceId the inbox message's id (a held result's negative one, see the JDBC stores) or the
 *     activity task's id
 * @param event the message's event; for an activity, a {@link HistoryEvent.TaskScheduled} with its
 *     task id, name and input
 * @param deliveryCount how many times it was handed out, counting the last hand-out, which gave up
 *     on it
 * @param reason why, for people; null if not said (dead letters stored before reasons were)
 */
public record DeadLetter(
    long id,
    Kind kind,
    long sourceId,
    String instanceId,
    String executionId,
    HistoryEvent event,
    int deliveryCount,
    Instant deadLetteredAt,
    String reason) {

  /** What was dead-lettered. */
  public enum Kind {
    /** An inbox message of an orchestration or an entity. */
    MESSAGE,
    /** An activity task whose deliveries never produced a result. */
    ACTIVITY;

    /** The stored form, also used in listings: "message" or "activity". */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The kind a stored label names. */
    public static Kind ofLabel(String label) {
      for (Kind kind : values()) {
        if (kind.label().equals(label)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("not a dead-letter kind: " + label);
    }
  }

  public DeadLetter {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(deadLetteredAt, "deadLetteredAt");
  }

  /** A dead letter for a quarantined inbox message, not stored yet. */
  public static DeadLetter ofMessage(InboxMessage message, Instant now, String reason) {
    return new DeadLetter(
        0,
        Kind.MESSAGE,
        message.id(),
        message.instanceId(),
        message.executionId(),
        message.event(),
        message.deliveryCount(),
        now,
        reason);
  }

  /** A dead letter for an activity task, not stored yet. */
  public static DeadLetter ofActivity(ActivityWorkItem item, Instant now, String reason) {
    ActivityTask task = item.task();
    return new DeadLetter(
        0,
        Kind.ACTIVITY,
        item.id(),
        task.instanceId(),
        task.executionId(),
        new HistoryEvent.TaskScheduled(now, task.taskId(), task.name(), task.input()),
        item.deliveryCount() + 1, // the hand-out that gives up counts, as for a message
        now,
        reason);
  }

  /**
   * What it was, for people: the activity's name, or the message's event type with the event or
   * operation name it carries (for example {@code EventRaised approve}).
   */
  public String description() {
    return switch (event) {
      case HistoryEvent.TaskScheduled t when kind == Kind.ACTIVITY -> t.name();
      case HistoryEvent.EventRaised e -> e.eventType() + " " + e.name();
      case HistoryEvent.EntityOperationRequested op -> op.eventType() + " " + op.operation();
      default -> event.eventType();
    };
  }
}
