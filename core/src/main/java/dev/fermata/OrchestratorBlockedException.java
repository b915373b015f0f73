package dev.fermata;

import java.time.Duration;

/**
 * Orchestrator code ran longer than the engine's limit ({@link
 * Fermata.Builder#orchestratorBlockingLimit}) without awaiting a durable task: it sleeps, waits for
 * I/O or a lock, or loops. The episode is abandoned, so that the code does not hold a worker, and
 * runs again after a backoff; an instance whose code blocks every time is quarantined after its
 * delivery attempts, with this message. The stack trace is where the code was when the limit
 * passed.
 */
public class OrchestratorBlockedException extends FermataException {
  /** Frames of the code's stack put in the message (the stack trace has them all). */
  private static final int FRAMES_IN_MESSAGE = 6;

  public OrchestratorBlockedException(
      String orchestrator, String instanceId, Duration limit, StackTraceElement[] where) {
    super(message(orchestrator, instanceId, limit, where));
    setStackTrace(where);
  }

  private static String message(
      String orchestrator, String instanceId, Duration limit, StackTraceElement[] where) {
    StringBuilder m =
        new StringBuilder("Orchestrator '")
            .append(orchestrator)
            .append("' (instance '")
            .append(instanceId)
            .append("') ran for more than ")
            .append(limit.toMillis())
            .append(
                " ms without awaiting a durable task, so its episode was abandoned. Orchestrator")
            .append(" code must not block: do I/O in activities, and wait with ctx.createTimer or")
            .append(" ctx.waitForExternalEvent. It was at:");
    int from = Math.max(0, firstFrameOutsideTheJdk(where) - 1); // the JDK call it made, if any
    for (int i = from; i < Math.min(from + FRAMES_IN_MESSAGE, where.length); i++) {
      m.append("\n\tat ").append(where[i]);
    }
    return m.toString();
  }

  /** Where the user's code is: the JDK's own frames (sleeping, parking, reading) come first. */
  private static int firstFrameOutsideTheJdk(StackTraceElement[] where) {
    for (int i = 0; i < where.length; i++) {
      String c = where[i].getClassName();
      if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
        return i;
      }
    }
    return 0;
  }
}
