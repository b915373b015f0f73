package dev.fermata;

/**
 * Replay found that the orchestrator code no longer does what its history records: it scheduled a
 * different action (or none) at some sequence number. The instance fails with this exception's
 * message, which names the sequence number and the expected and actual actions.
 */
public class NonDeterminismException extends FermataException {
  public NonDeterminismException(String message) {
    super(message);
  }
}
