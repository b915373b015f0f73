package dev.fermata.testing;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * A clock that stands still until it is moved: the time of a {@link FermataTestEnvironment}'s
 * engine. It only moves forward.
 */
public final class VirtualClock implements InstantSource {
  private volatile Instant now;

  public VirtualClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  @Override
  public Instant instant() {
    return now;
  }

  /** Moves to {@code time}; a time not after the current one leaves the clock where it is. */
  synchronized void moveTo(Instant time) {
    if (time.isAfter(now)) {
      now = time;
    }
  }
}
