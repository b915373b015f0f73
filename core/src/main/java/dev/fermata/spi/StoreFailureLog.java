package dev.fermata.spi;

import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Logs storage failures ({@link StoreUnavailableException}) as one WARN line naming the cause, with
 * no stack trace, and at most one line per interval: an outage fails every request and every
 * worker's retry, and a line for each would bury the rest of the log. The failures left out are
 * counted in the next line.
 */
public final class StoreFailureLog {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final Logger log;
  private final long intervalNanos;
  private long nextLineAt; // guarded by this
  private boolean loggedOnce; // guarded by this
  private int leftOut; // guarded by this

  public StoreFailureLog(Logger log) {
    this(log, DEFAULT_INTERVAL);
  }

  StoreFailureLog(Logger log, Duration interval) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
  }

  /** The storage failure {@code failure} is or was caused by, if any. */
  public static Optional<StoreUnavailableException> cause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StoreUnavailableException unavailable) {
        return Optional.of(unavailable);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * Logs "{@code what}: {@code failure}'s message (its cause's message)", unless a line was logged
   * within the interval.
   */
  public void warn(String what, StoreUnavailableException failure) {
    int left;
    synchronized (this) {
      long now = System.nanoTime();
      if (loggedOnce && now - nextLineAt < 0) {
        leftOut++;
        return;
      }
      loggedOnce = true;
      nextLineAt = now + intervalNanos;
      left = leftOut;
      leftOut = 0;
    }
    String cause = failure.getCause() == null ? "" : " (" + failure.getCause().getMessage() + ")";
    if (left == 0) {
      log.warn("{}: {}{}", what, failure.getMessage(), cause);
    } else {
      log.warn(
          "{}: {}{}; {} more storage failure(s) since the previous line",
          what,
          failure.getMessage(),
          cause,
          left);
    }
  }
}
