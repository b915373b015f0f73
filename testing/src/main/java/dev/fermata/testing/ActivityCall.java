package dev.fermata.testing;

import dev.fermata.ActivityContext;
import java.time.Instant;

/**
 * One call of a replaced activity, as the stand-in received it.
 *
 * @param name the activity's name
 * @param instanceId the orchestration instance that called it
 * @param taskId the call's sequence number in that instance's history
 * @param at the virtual time of the call
 */
public record ActivityCall(
    String name, String instanceId, int taskId, Instant at, ActivityContext context) {
  /** The call's input, converted from JSON as the activity would read it. */
  public <T> T input(Class<T> type) {
    return context.getInput(type);
  }
}
