package dev.fermata;

/**
 * The runtime status of an orchestration instance, with the same members (and ordinals) as Durable
 * Functions' {@code OrchestrationRuntimeStatus}.
 */
public enum OrchestrationStatus {
  RUNNING,
  COMPLETED,
  /** Transient: the instance called continueAsNew and is about to start its next execution. */
  CONTINUED_AS_NEW,
  FAILED,
  /** Part of the Durable Functions enum for compatibility; Fermata never produces it. */
  CANCELED,
  TERMINATED,
  /** Created, but its first episode has not run yet (or its scheduled start time is ahead). */
  PENDING,
  SUSPENDED;

  /** Completed, Failed, Terminated or Canceled: nothing more will happen to this execution. */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == TERMINATED || this == CANCELED;
  }

  /** Running, Pending, Suspended or ContinuedAsNew: the instance may still make progress. */
  public boolean isRunningLike() {
    return !isTerminal();
  }

  /** The Durable Functions spelling, for example {@code ContinuedAsNew}. */
  public String displayName() {
    return switch (this) {
      case RUNNING -> "Running";
      case COMPLETED -> "Completed";
      case CONTINUED_AS_NEW -> "ContinuedAsNew";
      case FAILED -> "Failed";
      case CANCELED -> "Canceled";
      case TERMINATED -> "Terminated";
      case PENDING -> "Pending";
      case SUSPENDED -> "Suspended";
    };
  }

  /**
   * Parses either spelling, case-insensitively ({@code Running}, {@code RUNNING}, {@code
   * continuedAsNew}).
   */
  public static OrchestrationStatus parse(String text) {
    String normalized = text.trim().replace("_", "");
    for (OrchestrationStatus s : values()) {
      if (s.name().replace("_", "").equalsIgnoreCase(normalized)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown runtime status '"
            + text
            + "'; expected one of Running, Completed, ContinuedAsNew, Failed, Canceled, Terminated,"
            + " Pending, Suspended");
  }
}
