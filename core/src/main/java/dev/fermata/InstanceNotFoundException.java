package dev.fermata;

/** No instance with the given id exists. */
public class InstanceNotFoundException extends FermataException {
  public InstanceNotFoundException(String message) {
    super(message);
  }
}
