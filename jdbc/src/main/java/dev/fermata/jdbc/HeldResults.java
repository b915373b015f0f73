package dev.fermata.jdbc;

/**
 * How a store hands out an activity result it holds in memory (rather than in the inbox) as an
 * inbox message: under the id of its task, negated. Inbox ids are positive, so a checkpoint that
 * names a negative id as consumed says which task's result it recorded (and which task row to
 * delete with it).
 */
public final class HeldResults {
  private HeldResults() {}

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
}
