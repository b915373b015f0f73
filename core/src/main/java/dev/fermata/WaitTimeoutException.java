package dev.fermata;

/** A wait for an instance's status ran out of time. */
public class WaitTimeoutException extends FermataException {
  public WaitTimeoutException(String message) {
    super(message);
  }
}
