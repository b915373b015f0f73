package dev.fermata.spi;

import java.time.Duration;

/**
 * A store whose dispatch a test kit can watch, to move a virtual clock only when the engine has
 * nothing to do now: no instance ready or locked, no activity task queued or running, no write in
 * flight. Single-process stores (in-memory, SQLite) implement it; the engine itself does not use
 * it.
 */
public interface VirtualTimeDispatch {
  /**
   * Whether the workers have work now or out, and if not, when the earliest timer falls due: the
   * moment a virtual clock may skip to. One consistent view of the store.
   */
  LocalDispatcher.Backlog dispatchBacklog();

  /** How many writes the store has finished: {@link #awaitWrite} waits for the next. */
  long writeCount();

  /**
   * Waits until a write after the {@code seen}-th has finished, or {@code maxWait} has passed.
   *
   * @return true if there was one
   */
  boolean awaitWrite(long seen, Duration maxWait) throws InterruptedException;

  /** The clock jumped ahead: waiting workers look again at what is due. */
  void clockMoved();
}
