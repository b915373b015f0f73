package dev.fermata.spi;

import dev.fermata.FermataException;

/**
 * A checkpoint or completion was refused: nothing of it was applied. Stores throw one of its two
 * kinds, {@link LockLostException} (another worker owns the instance or task now) or {@link
 * HistoryMovedOnException} (the stored history is ahead of the checkpoint).
 */
public sealed class StaleLockException extends FermataException
    permits LockLostException, HistoryMovedOnException {
  StaleLockException(String message) {
    super(message);
  }
}
