package dev.fermata.jdbc;

import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.InboxMessage;
import java.time.Instant;

/**
 * An activity result a store holds in memory, rather than in the inbox, until its instance's next
 * checkpoint records it (with the deletion of its task). Its delivery count lives here, like the
 * result: an episode that keeps failing on it is counted, and a crash forgets both (the task runs
 * again).
 *
 * <p>It is handed out as an inbox message under the id of its task, negated. Inbox ids are
 * positive, so a checkpoint that names a negative id as consumed says which task's result it
 * recorded, and which task row to delete with it.
 */
public record HeldResult(
    ActivityWorkItem item, HistoryEvent result, Instant receivedAt, int deliveries) {

  /** A result just received, not handed out yet. */
  public static HeldResult received(ActivityWorkItem item, HistoryEvent result, Instant at) {
    return new HeldResult(item, result, at, 0);
  }

  /** The message id a held result of task {@code taskId} is handed out under. */
  public static long messageId(long taskId) {
    return -taskId;
  }

  /** True if {@code messageId} names a held result rather than an inbox row. */
  public static boolean isHeldResult(long messageId) {
    return messageId < 0;
  }

  /** The task whose result the message {@code messageId} is. */
  public static long taskId(long messageId) {
    return -messageId;
  }

  /** This result as the inbox message an episode is given. */
  public InboxMessage message() {
    return new InboxMessage(
        messageId(item.id()),
        item.task().instanceId(),
        item.task().executionId(),
        receivedAt,
        result,
        deliveries);
  }

  /** The same result with one more delivery counted (handed out to an episode). */
  public HeldResult handedOut() {
    return new HeldResult(item, result, receivedAt, deliveries + 1);
  }

  /** The same result with its last delivery taken back (the episode left it unconsumed). */
  public HeldResult uncounted() {
    return new HeldResult(item, result, receivedAt, Math.max(0, deliveries - 1));
  }
}
