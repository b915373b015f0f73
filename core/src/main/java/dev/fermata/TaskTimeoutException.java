package dev.fermata;

/** Thrown from {@link Task#await()} when a wait with a timeout and no default value timed out. */
public class TaskTimeoutException extends FermataException {
  public TaskTimeoutException(String message) {
    super(message);
  }
}
