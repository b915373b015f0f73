package dev.fermata.internal.replay;

import dev.fermata.TaskTimeoutException;

/**
 * An event wait raced against a durable timer; whichever loses is cancelled, so neither a stray
 * timer nor a stale wait is left behind.
 */
final class EventWithTimeout<T> extends TaskImpl<T> {
  private final EventWait<T> event;
  private final TimerTask timer;

  EventWithTimeout(
      OrchestrationRunner runner,
      EventWait<T> event,
      TimerTask timer,
      boolean useDefault,
      T defaultValue) {
    super(runner);
    this.event = event;
    this.timer = timer;
    event.onDone(
        () -> {
          if (isDone()) {
            return; // cancelled because the timer won
          }
          timer.cancel();
          if (event.isFailed()) {
            fail(event.failure());
          } else {
            complete(event.value());
          }
        });
    timer.onDone(
        () -> {
          if (timer.isFailed() || isDone()) {
            return; // cancelled because the event won
          }
          if (useDefault) {
            complete(defaultValue);
          } else {
            fail(new TaskTimeoutException(event.describe() + " timed out"));
          }
          event.cancel(); // so the wait takes no later event
        });
  }

  @Override
  protected void onCancel() {
    event.cancel();
    timer.cancel();
  }

  @Override
  String describe() {
    return event.describe() + " with timeout";
  }
}
