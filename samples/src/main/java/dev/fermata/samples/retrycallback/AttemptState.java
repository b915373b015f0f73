package dev.fermata.samples.retrycallback;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where one attempt to get the external system's work done stands; shown as in the scenario. */
public enum AttemptState {
  NEW("New"),
  EXECUTING("Executing"),
  EXECUTED_SUCCESS("ExecutedSuccess"),
  EXECUTED_FAILURE("ExecutedFailure"),
  WAITING_FOR_CALLBACK("WaitingForCallback"),
  TIMED_OUT("TimedOut"),
  CALLBACK_SUCCESS("CallbackSuccess"),
  CALLBACK_FAILURE("CallbackFailure");

  private final String label;

  AttemptState(String label) {
    this.label = label;
  }

  @JsonValue
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
