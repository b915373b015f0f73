package dev.fermata;

/**
 * Thrown from {@link Task#await()} when an activity or sub-orchestration failed. The original
 * exception does not cross the durable boundary; its {@link #getFailureDetails() details} do.
 */
public class TaskFailedException extends FermataException {
  private final String taskName;
  private final int taskId;
  private final FailureDetails failureDetails;

  public TaskFailedException(String taskName, int taskId, FailureDetails failureDetails) {
    super("Task '" + taskName + "' (#" + taskId + ") failed with " + failureDetails.summary());
    this.taskName = taskName;
    this.taskId = taskId;
    this.failureDetails = failureDetails;
  }

  /** The activity or orchestrator name that failed. */
  public String getTaskName() {
    return taskName;
  }

  /** The sequence number of the failed call in its orchestration's history. */
  public int getTaskId() {
    return taskId;
  }

  public FailureDetails getFailureDetails() {
    return failureDetails;
  }
}
