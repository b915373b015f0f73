package dev.fermata.samples.retrycallback;

import dev.fermata.OrchestrationContext;

/**
 * Where the orchestration reports its attempts as they progress. The scenario keeps them in the
 * durable entity {@code AttemptsEntity}, keyed by the orchestration's instance id, so that {@code
 * HttpAttemptCounterEntityClient} can read them; this interface is the one place that choice is
 * made.
 */
public interface AttemptsTracker {

  /** Records the latest state of all attempts. Called from orchestrator code: must be durable. */
  void update(OrchestrationContext ctx, AttemptsState state);

  /**
   * Keeps the attempts in the instance's custom status, which clients read with {@code
   * getInstance(id).readCustomStatusAs(AttemptsState.class)}.
   */
  AttemptsTracker CUSTOM_STATUS = OrchestrationContext::setCustomStatus;
}
