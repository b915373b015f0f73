package dev.fermata.internal.replay;

import dev.fermata.Task;
import dev.fermata.TaskCanceledException;
import java.util.ArrayList;
import java.util.List;

/**
 * The base of every task. A task changes state only on the engine's side of the hand-off (while the
 * orchestrator thread is parked) or on the orchestrator thread itself, never on both at once, so it
 * needs no locking.
 */
public abstract class TaskImpl<T> implements Task<T> {
  private enum State {
    PENDING,
    COMPLETED,
    FAILED,
    CANCELED
  }

  /** The runner the task belongs to; null only for tasks done from the start. */
  protected final OrchestrationRunner runner;

  private State state = State.PENDING;
  private T value;
  private RuntimeException failure;
  private long completionOrder = Long.MAX_VALUE;
  private List<Runnable> listeners;

  protected TaskImpl(OrchestrationRunner runner) {
    this.runner = runner;
  }

  /** What the task waits for, for messages: {@code activity 'Charge' (#3)}. */
  abstract String describe();

  @Override
  public final T await() {
    if (state == State.PENDING) {
      runner.awaitTask(this);
    }
    return switch (state) {
      case COMPLETED -> value;
      case FAILED, CANCELED -> throw failure;
      case PENDING -> throw new IllegalStateException("task still pending after await");
    };
  }

  @Override
  public final boolean isDone() {
    return state != State.PENDING;
  }

  @Override
  public final boolean isFailed() {
    return state == State.FAILED || state == State.CANCELED;
  }

  @Override
  public final boolean cancel() {
    if (state != State.PENDING) {
      return false;
    }
    onCancel();
    if (state == State.PENDING) { // onCancel may already have settled a composite task
      finish(State.CANCELED, null, new TaskCanceledException(describe() + " was cancelled"));
    }
    return true;
  }

  /** Lets a task drop its durable part (a timer) or unregister itself (an event wait). */
  protected void onCancel() {}

  final void complete(T result) {
    if (state == State.PENDING) {
      finish(State.COMPLETED, result, null);
    }
  }

  final void fail(RuntimeException error) {
    if (state == State.PENDING) {
      finish(State.FAILED, null, error);
    }
  }

  private void finish(State newState, T result, RuntimeException error) {
    state = newState;
    value = result;
    failure = error;
    completionOrder = runner == null ? -1 : runner.nextCompletionOrder();
    if (listeners != null) {
      List<Runnable> toRun = listeners;
      listeners = null;
      toRun.forEach(Runnable::run);
    }
  }

  /** Runs {@code listener} when the task is done (at once if it already is). */
  final void onDone(Runnable listener) {
    if (isDone()) {
      listener.run();
    } else {
      if (listeners == null) {
        listeners = new ArrayList<>(2);
      }
      listeners.add(listener);
    }
  }

  /** The failure of a failed or cancelled task, else null. */
  final RuntimeException failure() {
    return failure;
  }

  /** The result of a completed task. */
  final T value() {
    return value;
  }

  /** The order in which tasks finished: lower finished first. */
  final long completionOrder() {
    return completionOrder;
  }

  /** A task that is done before anyone awaits it. */
  static final class Done<T> extends TaskImpl<T> {
    private final String description;

    Done(OrchestrationRunner runner, String description, T result, RuntimeException error) {
      super(runner);
      this.description = description;
      if (error == null) {
        complete(result);
      } else {
        fail(error);
      }
    }

    @Override
    String describe() {
      return description;
    }
  }
}
