package dev.fermata;

/**
 * Thrown by {@link FermataClient#redriveDeadLetter} for a dead letter that cannot be delivered
 * again: an activity's, whose failure its orchestration has received and moved on from.
 */
public class NotRedrivableException extends FermataException {
  public NotRedrivableException(String message) {
    super(message);
  }
}
