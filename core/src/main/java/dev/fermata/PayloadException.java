package dev.fermata;

/** A value could not be turned into JSON, or JSON into the requested type. */
public class PayloadException extends FermataException {
  public PayloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
