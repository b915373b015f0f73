package dev.fermata.spi;

import dev.fermata.FermataException;

/**
 * A checkpoint or completion was refused because its lock is no longer current: another worker owns
 * the instance or task now (fencing). Nothing of it was applied.
 */
public class StaleLockException extends FermataException {
  public StaleLockException(String message) {
    super(message);
  }
}
