package dev.fermata.internal.replay;

import java.time.Instant;

/** A durable timer; once cancelled, its firing is ignored. */
final class TimerTask extends TaskImpl<Void> {
  private final int sequence;
  private final Instant fireAt;

  TimerTask(OrchestrationRunner runner, int sequence, Instant fireAt) {
    super(runner);
    this.sequence = sequence;
    this.fireAt = fireAt;
  }

  @Override
  protected void onCancel() {
    runner.forgetOpenTask(sequence);
  }

  @Override
  String describe() {
    return "timer (#" + sequence + ") due " + fireAt;
  }
}
