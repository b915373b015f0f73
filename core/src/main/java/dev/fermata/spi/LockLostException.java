package dev.fermata.spi;

/**
 * A checkpoint, activity result or release was refused because the instance or task is no longer
 * locked with the caller's token: another worker (or a restart) owns it now. Nothing was applied;
 * the caller's work item is void and must be dropped.
 */
public final class LockLostException extends StaleLockException {
  public LockLostException(String message) {
    super(message);
  }
}
