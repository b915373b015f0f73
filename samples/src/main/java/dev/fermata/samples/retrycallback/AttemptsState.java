package dev.fermata.samples.retrycallback;

import java.util.ArrayList;
import java.util.List;

/**
 * Every attempt's state and the overall state: what {@code AttemptsEntity} holds and {@code
 * HttpAttemptCounterEntityClient} returns.
 *
 * @param attempts the attempts so far, the first one first
 * @param overallState a sentence on where the whole request stands
 */
public record AttemptsState(List<Attempt> attempts, String overallState) {

  /**
   * One attempt.
   *
   * @param attempt its number, from 1
   * @param state where it stands
   * @param statusText why it is there (an error, a timeout), or null
   */
  public record Attempt(int attempt, AttemptState state, String statusText) {}

  public AttemptsState {
    attempts = List.copyOf(attempts);
  }

  public static AttemptsState none() {
    return new AttemptsState(List.of(), "No attempts yet");
  }

  /** This state with attempt {@code number} (new or existing) set to {@code state}. */
  public AttemptsState with(int number, AttemptState state, String statusText) {
    List<Attempt> updated = new ArrayList<>(attempts);
    Attempt attempt = new Attempt(number, state, statusText);
    if (number <= updated.size()) {
      updated.set(number - 1, attempt);
    } else {
      updated.add(attempt);
    }
    String overall = "Attempt " + number + " of the API request: " + state;
    return new AttemptsState(updated, overall);
  }

  /** This state with a final overall sentence. */
  public AttemptsState completed(String overall) {
    return new AttemptsState(attempts, overall);
  }
}
