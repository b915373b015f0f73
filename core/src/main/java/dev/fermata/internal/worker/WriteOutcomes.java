package dev.fermata.internal.worker;

import dev.fermata.spi.StoreUnavailableException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The outcome of the latest store write (a worker's checkpoint or activity result, or a client's
 * write): whether it failed, and when. A failure stays until a later write succeeds. Successful
 * writes cost one volatile read while nothing failed.
 */
public final class WriteOutcomes {
  private final InstantSource clock;
  private volatile Instant failedSince;

  public WriteOutcomes(InstantSource clock) {
    this.clock = clock;
  }

  public void succeeded() {
    if (failedSince != null) {
      failedSince = null;
    }
  }

  public void failed() {
    if (failedSince == null) {
      failedSince = clock.instant();
    }
  }

  /**
   * Runs a client's write, recording its outcome: a failure of the storage counts, a refusal (an id
   * taken, a status that does not allow it) does not.
   */
  public <T> T record(Supplier<T> write) {
    T result;
    try {
      result = write.get();
    } catch (StoreUnavailableException e) {
      failed();
      throw e;
    }
    succeeded();
    return result;
  }

  /** When the writes started failing, if the latest one failed. */
  public Optional<Instant> failingSince() {
    return Optional.ofNullable(failedSince);
  }
}
