package dev.fermata.samples.retrycallback;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the retry, timeout and callback sample.
 *
 * @param maxAttempts how many times the external API is called before giving up
 * @param callbackTimeout how long each attempt waits for the {@code Callback} event
 */
public record RetryCallbackSettings(int maxAttempts, Duration callbackTimeout) {
  /** The values of the original scenario: 5 attempts, 60 seconds for each callback. */
  public static final RetryCallbackSettings DEFAULTS =
      new RetryCallbackSettings(5, Duration.ofSeconds(60));

  public RetryCallbackSettings {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    Objects.requireNonNull(callbackTimeout, "callbackTimeout");
    if (callbackTimeout.isNegative() || callbackTimeout.isZero()) {
      throw new IllegalArgumentException(
          "callbackTimeout must be positive, got " + callbackTimeout);
    }
  }
}
