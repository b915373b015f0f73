package dev.fermata.spi;

import dev.fermata.FermataException;

/**
 * The store cannot serve the request right now because its storage failed: the disk is full, an I/O
 * error or a corrupt page stopped a write, or the database cannot be reached. Nothing of the
 * request was applied, and the same request may succeed once the cause is gone; the store recovers
 * by itself, without a restart. The message names the problem in a few words, fit to show a client
 * (for example "the store cannot write: disk full"); the cause has the details.
 */
public final class StoreUnavailableException extends FermataException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
