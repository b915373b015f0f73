package dev.fermata.spi;

/**
 * A checkpoint was refused because its new events do not start where the stored history ends:
 * another episode recorded these steps already. Nothing was applied; the store unlocked the
 * instance and dispatches it again, so that a replay of the stored history decides what comes next.
 */
public final class HistoryMovedOnException extends StaleLockException {
  public HistoryMovedOnException(String message) {
    super(message);
  }
}
