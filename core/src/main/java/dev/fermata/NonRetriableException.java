package dev.fermata;

/**
 * Thrown by an activity (or orchestrator) to say that trying again cannot help: retry policies stop
 * at once and the failure reaches the caller.
 */
public class NonRetriableException extends RuntimeException {
  public NonRetriableException(String message) {
    super(message);
  }

  public NonRetriableException(String message, Throwable cause) {
    super(message, cause);
  }
}
