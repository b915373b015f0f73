package dev.fermata;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A failure as data: what reaches an orchestrator when an activity or sub-orchestration fails, and
 * what a failed instance stores as its output. Survives serialization, unlike the exception itself.
 *
 * @param errorType the fully qualified class name of the original exception
 * @param errorMessage its message (may be null)
 * @param stackTrace its stack trace as text (may be null)
 * @param innerFailure the cause, if any
 * @param isNonRetriable when true, retry policies give up at once
 */
public record FailureDetails(
    String errorType,
    String errorMessage,
    String stackTrace,
    FailureDetails innerFailure,
    boolean isNonRetriable) {

  private static final int MAX_CAUSE_DEPTH = 16;

  /** Captures an exception and its cause chain. */
  public static FailureDetails fromException(Throwable t) {
    return from(t, new IdentityHashMap<>(), 0);
  }

  private static FailureDetails from(Throwable t, Map<Throwable, Boolean> seen, int depth) {
    seen.put(t, Boolean.TRUE);
    Throwable cause = t.getCause();
    FailureDetails inner;
    if (t instanceof TaskFailedException failed) {
      inner = failed.getFailureDetails(); // the failure of the call, across the durable boundary
    } else {
      inner =
          cause != null && !seen.containsKey(cause) && depth < MAX_CAUSE_DEPTH
              ? from(cause, seen, depth + 1)
              : null;
    }
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    return new FailureDetails(
        t.getClass().getName(),
        t.getMessage(),
        trace.toString(),
        inner,
        t instanceof NonRetriableException);
  }

  /** True if this failure, or any failure in its cause chain, has the given exception type. */
  public boolean isCausedBy(Class<? extends Throwable> type) {
    for (FailureDetails f = this; f != null; f = f.innerFailure()) {
      if (f.errorType().equals(type.getName())) {
        return true;
      }
    }
    return false;
  }

  /** {@code type: message}, the way failures are shown to people. */
  public String summary() {
    return errorMessage == null ? errorType : errorType + ": " + errorMessage;
  }
}
