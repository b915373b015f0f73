package dev.fermata;

/** Thrown from {@link Task#await()} when the task was cancelled. */
public class TaskCanceledException extends FermataException {
  public TaskCanceledException(String message) {
    super(message);
  }
}
