package dev.fermata.spi;

import dev.fermata.FermataException;

/** A stored row could not be read: it names the row's problem so an operator can find it. */
public class CorruptRecordException extends FermataException {
  public CorruptRecordException(String message) {
    super(message);
  }

  public CorruptRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
