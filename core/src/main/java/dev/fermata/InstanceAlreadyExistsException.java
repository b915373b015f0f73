package dev.fermata;

/** An instance with the requested id is already running, pending or suspended. */
public class InstanceAlreadyExistsException extends FermataException {
  public InstanceAlreadyExistsException(String message) {
    super(message);
  }
}
