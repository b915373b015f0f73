package dev.fermata;

/**
 * The type named in the failure of work the engine gave up on after {@code maxDeliveryAttempts}
 * failed attempts to process it (a store error, an unreadable row, an activity that crashed its
 * worker each time), and moved to the dead-letter store.
 *
 * <p>The engine does not throw it; as every failure that crosses a durable boundary, it arrives as
 * data ({@link FailureDetails} with this class's name as {@code errorType}), so test for it with
 * {@link FailureDetails#isCausedBy}:
 *
 * <ul>
 *   <li>an orchestration instance whose episodes keep failing ends Failed, and its {@link
 *       InstanceState#getFailureDetails() failure} {@code
 *       isCausedBy(PoisonMessageException.class)};
 *   <li>the calls and lock requests in an entity batch that keeps failing are answered with this
 *       failure: the calling orchestration's {@code await()} throws a {@link TaskFailedException}
 *       whose {@link TaskFailedException#getFailureDetails() details} name this type;
 *   <li>an activity task handed out that many times without ever finishing (each run crashed or
 *       lost its worker) is not run again: the calling orchestration's {@code await()} throws a
 *       {@link TaskFailedException} whose details name this type.
 * </ul>
 *
 * <p>The failure is non-retriable: retry policies give up at once.
 */
public class PoisonMessageException extends FermataException {
  public PoisonMessageException(String message) {
    super(message);
  }
}
