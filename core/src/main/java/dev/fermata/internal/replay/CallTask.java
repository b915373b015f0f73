package dev.fermata.internal.replay;

import dev.fermata.FailureDetails;
import dev.fermata.PayloadException;
import dev.fermata.TaskFailedException;

/** A call to an activity or a sub-orchestration, answered by a completion or failure event. */
final class CallTask<T> extends TaskImpl<T> {
  private final int sequence;
  private final String kind;
  private final String name;
  private final Class<T> resultType;

  CallTask(OrchestrationRunner runner, int sequence, String kind, String name, Class<T> type) {
    super(runner);
    this.sequence = sequence;
    this.kind = kind;
    this.name = name;
    this.resultType = type;
  }

  void completeWithJson(String resultJson) {
    try {
      complete(runner.json().deserialize(resultJson, resultType, "result of " + describe()));
    } catch (PayloadException e) {
      fail(e);
    }
  }

  void failWith(FailureDetails details) {
    fail(new TaskFailedException(name, sequence, details));
  }

  @Override
  protected void onCancel() {
    runner.forgetOpenTask(sequence);
  }

  @Override
  String describe() {
    return kind + " '" + name + "' (#" + sequence + ")";
  }
}
