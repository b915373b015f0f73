package dev.fermata;

/** The base of Fermata's own unchecked exceptions. */
public class FermataException extends RuntimeException {
  public FermataException(String message) {
    super(message);
  }

  public FermataException(String message, Throwable cause) {
    super(message, cause);
  }
}
