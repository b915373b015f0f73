package dev.fermata.internal.worker;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * The outcome of the workers' latest store write (a checkpoint or an activity result): whether it
 * failed, and when. A failure stays until a later write succeeds. Successful writes cost one
 * volatile read while nothing failed.
 */
public final class WriteOutcomes {
  private final InstantSource clock;
  private volatile Instant failedSince;

  public WriteOutcomes(InstantSource clock) {
    this.clock = clock;
  }

  void succeeded() {
    if (failedSince != null) {
      failedSince = null;
    }
  }

  void failed() {
    if (failedSince == null) {
      failedSince = clock.instant();
    }
  }

  /** When the writes started failing, if the latest one failed. */
  public Optional<Instant> failingSince() {
    return Optional.ofNullable(failedSince);
  }
}
