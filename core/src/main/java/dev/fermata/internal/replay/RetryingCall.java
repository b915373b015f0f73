package dev.fermata.internal.replay;

import dev.fermata.FailureDetails;
import dev.fermata.RetryPolicy;
import dev.fermata.TaskFailedException;
import java.time.Instant;
import java.util.function.IntFunction;

/**
 * A call retried under a {@link RetryPolicy}: each attempt is its own durable call, each delay a
 * durable timer, all scheduled from completion callbacks, which run in history order and so replay
 * identically.
 */
final class RetryingCall<T> extends TaskImpl<T> {
  private final RetryPolicy policy;
  private final IntFunction<CallTask<T>> attemptFactory;
  private final String description;
  private final String name;
  private final Instant firstAttemptTime;
  private int attempt;
  private TaskImpl<?> current;

  RetryingCall(
      OrchestrationRunner runner,
      RetryPolicy policy,
      String kind,
      String name,
      IntFunction<CallTask<T>> attemptFactory) {
    super(runner);
    this.policy = policy;
    this.description = kind + " '" + name + "'";
    this.name = name;
    this.attemptFactory = attemptFactory;
    this.firstAttemptTime = runner.currentTime();
    startAttempt();
  }

  private void startAttempt() {
    CallTask<T> call = attemptFactory.apply(attempt);
    current = call;
    call.onDone(() -> attemptDone(call));
  }

  private void attemptDone(CallTask<T> call) {
    if (isDone()) {
      return;
    }
    if (!call.isFailed()) {
      complete(call.value());
      return;
    }
    RuntimeException error = call.failure();
    if (!shouldRetry(error)) {
      fail(error);
      return;
    }
    Instant retryAt = runner.currentTime().plus(policy.delayAfterAttempt(attempt));
    attempt++;
    runner.retrying(name);
    TimerTask delay = runner.newTimer(retryAt);
    current = delay;
    delay.onDone(
        () -> {
          if (!isDone()) {
            startAttempt();
          }
        });
  }

  private boolean shouldRetry(RuntimeException error) {
    if (attempt + 1 >= policy.maxNumberOfAttempts()) {
      return false;
    }
    if (!(error instanceof TaskFailedException failed)) {
      return false; // a payload error: trying again cannot help
    }
    FailureDetails details = failed.getFailureDetails();
    if (details.isNonRetriable() || !policy.handle().test(details)) {
      return false;
    }
    return policy.retryTimeout() == null
        || runner.currentTime().isBefore(firstAttemptTime.plus(policy.retryTimeout()));
  }

  @Override
  protected void onCancel() {
    if (current != null) {
      current.cancel();
    }
  }

  @Override
  String describe() {
    return description + " with retries";
  }
}
