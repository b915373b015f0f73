package dev.fermata.testsupport;

import java.time.Duration;

/**
 * Waits in a test for a condition that other threads or processes bring about, by looking again and
 * again until a deadline. The one polling loop of every module's tests: a test waits for the state
 * it needs, never sleeps for it.
 */
public final class Poll {
  /** Long enough for a busy machine: a test that needs longer has failed anyway. */
  public static final Duration WAIT = Duration.ofSeconds(30);

  private static final long MAX_PAUSE_MILLIS = 100;

  /** A condition to look at; exceptions fail the wait (catch those that mean "not yet"). */
  @FunctionalInterface
  public interface Condition {
    boolean met() throws Exception;
  }

  /** A look that gives a value once there is one, and null until then. */
  @FunctionalInterface
  public interface Probe<T> {
    T value() throws Exception;
  }

  private Poll() {}

  /** Waits up to {@link #WAIT} until {@code condition} holds. */
  public static void until(String what, Condition condition) {
    until(what, WAIT, condition);
  }

  /** Waits up to {@code timeout} until {@code condition} holds; fails the test otherwise. */
  public static void until(String what, Duration timeout, Condition condition) {
    forValue(what, timeout, () -> condition.met() ? Boolean.TRUE : null);
  }

  /** Waits up to {@code timeout} until {@code probe} gives a value, and returns it. */
  public static <T> T forValue(String what, Duration timeout, Probe<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 5;
    while (true) {
      T value;
      try {
        value = probe.value();
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Exception e) {
        throw new AssertionError("failed looking for " + what, e);
      }
      if (value != null) {
        return value;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
      pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
    }
  }
}
