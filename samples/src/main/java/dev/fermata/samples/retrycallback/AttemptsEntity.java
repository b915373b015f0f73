package dev.fermata.samples.retrycallback;

import dev.fermata.entities.EntityContext;
import dev.fermata.entities.EntityFunction;
import dev.fermata.entities.EntityId;
import java.util.Locale;

/**
 * The durable entity that records a request's attempts, keyed by the id of the {@code
 * MainOrchestrator} instance making them; its state is an {@link AttemptsState}. The orchestrator
 * signals it at every step, and {@code HttpAttemptCounterEntityClient} reads it, so the attempts
 * can be watched while the orchestration waits.
 *
 * <p>Operations: {@value #SET_ATTEMPT_STATE} (input an {@link AttemptsState.Attempt}: adds or
 * updates that attempt and says so in the overall state), {@value #COMPLETE} (input the final
 * overall sentence), {@value #GET} (answers the state) and {@code delete}.
 */
public final class AttemptsEntity implements EntityFunction {
  public static final String NAME = "AttemptsEntity";
  public static final String SET_ATTEMPT_STATE = "SetAttemptState";
  public static final String COMPLETE = "Complete";
  public static final String GET = "Get";

  /** The entity of the request made by the orchestration {@code instanceId}. */
  public static EntityId idFor(String instanceId) {
    return new EntityId(NAME, instanceId);
  }

  private static AttemptsState state(EntityContext ctx) {
    return ctx.getState(AttemptsState.class, AttemptsState::none);
  }

  @Override
  public Object run(EntityContext ctx) {
    switch (ctx.operationName().toLowerCase(Locale.ROOT)) {
      case "setattemptstate" -> {
        AttemptsState.Attempt attempt = ctx.getInput(AttemptsState.Attempt.class);
        if (attempt == null || attempt.attempt() < 1 || attempt.state() == null) {
          throw new IllegalArgumentException(
              SET_ATTEMPT_STATE + " needs {\"attempt\": 1 or more, \"state\", \"statusText\"}");
        }
        ctx.setState(state(ctx).with(attempt.attempt(), attempt.state(), attempt.statusText()));
        return null;
      }
      case "complete" -> {
        ctx.setState(state(ctx).completed(ctx.getInput(String.class)));
        return null;
      }
      case "get" -> {
        return ctx.hasState() ? ctx.getState(AttemptsState.class, AttemptsState::none) : null;
      }
      case "delete" -> {
        ctx.deleteState();
        return null;
      }
      default ->
          throw new IllegalArgumentException(
              NAME
                  + " has no operation '"
                  + ctx.operationName()
                  + "'; it has "
                  + SET_ATTEMPT_STATE
                  + ", "
                  + COMPLETE
                  + ", "
                  + GET
                  + " and delete");
    }
  }
}
