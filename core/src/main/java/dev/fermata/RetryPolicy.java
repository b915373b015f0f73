package dev.fermata;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How a failed activity or sub-orchestration call is retried. The delay after failed attempt {@code
 * k} (0 for the first) is {@code min(firstRetryInterval * backoffCoefficient^k, maxRetryInterval)},
 * waited on a durable timer, so backoff survives restarts.
 *
 * @param maxNumberOfAttempts attempts in all, counting the first (at least 1)
 * @param firstRetryInterval the delay before the second attempt (positive)
 * @param backoffCoefficient the growth factor of the delay (at least 1)
 * @param maxRetryInterval the longest delay (default 6 days, as Durable Functions)
 * @param retryTimeout no retry starts once this long has passed since the first attempt (default:
 *     no limit)
 * @param handle which failures to retry (default: all); non-retriable failures never are
 */
public record RetryPolicy(
    int maxNumberOfAttempts,
    Duration firstRetryInterval,
    double backoffCoefficient,
    Duration maxRetryInterval,
    Duration retryTimeout,
    Predicate<FailureDetails> handle) {

  public static final Duration DEFAULT_MAX_RETRY_INTERVAL = Duration.ofDays(6);

  public RetryPolicy {
    if (maxNumberOfAttempts < 1) {
      throw new IllegalArgumentException(
          "maxNumberOfAttempts must be at least 1 (it counts the first try), got "
              + maxNumberOfAttempts);
    }
    Objects.requireNonNull(firstRetryInterval, "firstRetryInterval");
    if (firstRetryInterval.isNegative() || firstRetryInterval.isZero()) {
      throw new IllegalArgumentException(
          "firstRetryInterval must be positive, got " + firstRetryInterval);
    }
    if (!(backoffCoefficient >= 1.0) || Double.isInfinite(backoffCoefficient)) {
      throw new IllegalArgumentException(
          "backoffCoefficient must be a finite number >= 1, got " + backoffCoefficient);
    }
    maxRetryInterval = maxRetryInterval == null ? DEFAULT_MAX_RETRY_INTERVAL : maxRetryInterval;
    if (maxRetryInterval.compareTo(firstRetryInterval) < 0) {
      throw new IllegalArgumentException(
          "maxRetryInterval ("
              + maxRetryInterval
              + ") must not be shorter than firstRetryInterval ("
              + firstRetryInterval
              + ")");
    }
    if (retryTimeout != null && retryTimeout.isNegative()) {
      throw new IllegalArgumentException("retryTimeout must not be negative, got " + retryTimeout);
    }
    handle = handle == null ? f -> true : handle;
  }

  /** A policy of {@code maxNumberOfAttempts} attempts, {@code firstRetryInterval} apart. */
  public static RetryPolicy of(int maxNumberOfAttempts, Duration firstRetryInterval) {
    return builder(maxNumberOfAttempts, firstRetryInterval).build();
  }

  public static Builder builder(int maxNumberOfAttempts, Duration firstRetryInterval) {
    return new Builder(maxNumberOfAttempts, firstRetryInterval);
  }

  /** The delay to wait after failed attempt {@code attempt} (0-based). */
  public Duration delayAfterAttempt(int attempt) {
    double millis = firstRetryInterval.toMillis() * Math.pow(backoffCoefficient, attempt);
    long max = maxRetryInterval.toMillis();
    return Duration.ofMillis(millis >= max ? max : (long) millis);
  }

  /** Builds a {@link RetryPolicy}; unset values take their defaults. */
  public static final class Builder {
    private final int maxNumberOfAttempts;
    private final Duration firstRetryInterval;
    private double backoffCoefficient = 1.0;
    private Duration maxRetryInterval;
    private Duration retryTimeout;
    private Predicate<FailureDetails> handle;

    private Builder(int maxNumberOfAttempts, Duration firstRetryInterval) {
      this.maxNumberOfAttempts = maxNumberOfAttempts;
      this.firstRetryInterval = firstRetryInterval;
    }

    public Builder backoffCoefficient(double coefficient) {
      this.backoffCoefficient = coefficient;
      return this;
    }

    public Builder maxRetryInterval(Duration interval) {
      this.maxRetryInterval = interval;
      return this;
    }

    public Builder retryTimeout(Duration timeout) {
      this.retryTimeout = timeout;
      return this;
    }

    /** Retry only failures this predicate accepts. */
    public Builder handle(Predicate<FailureDetails> predicate) {
      this.handle = predicate;
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(
          maxNumberOfAttempts,
          firstRetryInterval,
          backoffCoefficient,
          maxRetryInterval,
          retryTimeout,
          handle);
    }
  }
}
