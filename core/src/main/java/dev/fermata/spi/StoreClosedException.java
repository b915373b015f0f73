package dev.fermata.spi;

import dev.fermata.FermataException;

/** The store was asked for something after {@link DurableStore#close} (or before it started). */
public final class StoreClosedException extends FermataException {
  public StoreClosedException(String message) {
    super(message);
  }
}
