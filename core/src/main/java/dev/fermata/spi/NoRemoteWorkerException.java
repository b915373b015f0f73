package dev.fermata.spi;

import dev.fermata.FermataException;

/**
 * Remote work was given back without being run: no remote worker was connected to take it (see
 * {@link RemoteWorkers#giveBackWhenNoWorker}). The engine returns it to the store without counting
 * a delivery, for an engine that has a worker.
 */
public final class NoRemoteWorkerException extends FermataException {
  public NoRemoteWorkerException(String message) {
    super(message);
  }

  /** Whether {@code error}, or one of its causes, is a {@code NoRemoteWorkerException}. */
  public static boolean isCauseOf(Throwable error) {
    for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof NoRemoteWorkerException) {
        return true;
      }
    }
    return false;
  }
}
