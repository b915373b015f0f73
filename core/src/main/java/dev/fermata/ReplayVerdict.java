package dev.fermata;

/**
 * Whether this engine's orchestrator code still reproduces an instance's stored history: the answer
 * of {@link Fermata#checkReplay}, which replays the history without running anything.
 *
 * @param instanceId the instance
 * @param orchestrator its orchestrator's name
 * @param historyEvents how many events of its current execution were replayed
 * @param outcome what the replay found
 * @param message for {@link Outcome#DIFFERS}, the step where code and history part (the message the
 *     instance would fail with); for {@link Outcome#NOT_HERE}, why nothing was replayed; else null
 */
public record ReplayVerdict(
    String instanceId, String orchestrator, int historyEvents, Outcome outcome, String message) {

  public enum Outcome {
    /** The code takes every step the history records. */
    MATCHES,
    /**
     * The code no longer does what the history records: the instance would fail on its next step.
     */
    DIFFERS,
    /**
     * This engine has no code for the orchestrator (or it is an entity), so nothing was checked.
     */
    NOT_HERE
  }
}
