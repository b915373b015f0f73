package dev.fermata.spi;

/**
 * An activity call to run.
 *
 * @param taskId the sequence number of the call in the orchestration's history
 * @param traceParent the W3C {@code traceparent} of the orchestration's trace, which the activity
 *     continues; null outside any trace
 */
public record ActivityTask(
    String instanceId,
    String executionId,
    int taskId,
    String name,
    String input,
    String traceParent) {

  /** A call outside any trace. */
  public ActivityTask(
      String instanceId, String executionId, int taskId, String name, String input) {
    this(instanceId, executionId, taskId, name, input, null);
  }
}
