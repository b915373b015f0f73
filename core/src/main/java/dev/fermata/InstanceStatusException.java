package dev.fermata;

/**
 * The operation does not fit the instance's current status (raising an event on a finished
 * instance, resuming one that is not suspended, purging one that still runs...).
 */
public class InstanceStatusException extends FermataException {
  private final OrchestrationStatus status;

  public InstanceStatusException(String message, OrchestrationStatus status) {
    super(message);
    this.status = status;
  }

  /** The status that made the operation impossible. */
  public OrchestrationStatus getStatus() {
    return status;
  }
}
