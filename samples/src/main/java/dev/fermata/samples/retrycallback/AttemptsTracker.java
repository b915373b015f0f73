package dev.fermata.samples.retrycallback;

import dev.fermata.FermataClient;
import dev.fermata.OrchestrationContext;
import java.util.Optional;

/**
 * Where the orchestration reports its attempts as they progress, and where clients read them. The
 * scenario keeps them in the durable entity {@code AttemptsEntity}, keyed by the orchestration's
 * instance id, and {@code HttpAttemptCounterEntityClient} reads that entity; this interface is the
 * one place that choice is made.
 */
public interface AttemptsTracker {

  /** Records the latest state of all attempts. Called from orchestrator code: must be durable. */
  void update(OrchestrationContext ctx, AttemptsState state);

  /** The attempts of an instance so far; empty if there is no such instance or no attempt yet. */
  Optional<AttemptsState> read(FermataClient client, String instanceId);

  /** Keeps the attempts in the instance's custom status, saved with each checkpoint. */
  AttemptsTracker CUSTOM_STATUS =
      new AttemptsTracker() {
        @Override
        public void update(OrchestrationContext ctx, AttemptsState state) {
          ctx.setCustomStatus(state);
        }

        @Override
        public Optional<AttemptsState> read(FermataClient client, String instanceId) {
          return client
              .getInstance(instanceId)
              .filter(s -> s.getSerializedCustomStatus() != null)
              .map(s -> s.readCustomStatusAs(AttemptsState.class));
        }
      };
}
