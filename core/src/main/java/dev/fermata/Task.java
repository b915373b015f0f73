package dev.fermata;

import dev.fermata.internal.replay.CompositeTasks;
import java.util.Arrays;
import java.util.List;

/**
 * The result of a durable call made from an orchestrator: an activity, a timer, an external event,
 * a sub-orchestration, or a combination of those. Calls return at once, so several can run in
 * parallel; {@link #await()} blocks the orchestrator until the result is in.
 *
 * <p>Tasks belong to the orchestration that created them and may only be awaited on its thread.
 *
 * @param <T> the result type
 */
public interface Task<T> {

  /**
   * Waits for the result. While waiting, the orchestration is durable: the process may stop and the
   * orchestration resumes here, from its history, when the result arrives.
   *
   * @throws TaskFailedException if the activity or sub-orchestration failed
   * @throws TaskCanceledException if the task was cancelled
   * @throws TaskTimeoutException if a wait with a timeout (and no default) timed out
   */
  T await();

  /** True once the task completed, failed or was cancelled. */
  boolean isDone();

  /** True if the task failed or was cancelled. */
  boolean isFailed();

  /**
   * Stops waiting for this task: it completes as cancelled, so {@link #await()} throws {@link
   * TaskCanceledException}. A cancelled timer is dropped for good; a cancelled event wait no longer
   * takes events; an activity or sub-orchestration keeps running, and its result is ignored.
   *
   * @return true if the task was still pending and is now cancelled
   */
  boolean cancel();

  /**
   * A task that completes when all the given tasks complete, with their results in the same order
   * (fan-in). If any fails, it fails once all are done, with the first failure in list order (the
   * others are attached as suppressed exceptions).
   */
  static <T> Task<List<T>> allOf(List<? extends Task<? extends T>> tasks) {
    return CompositeTasks.allOf(tasks);
  }

  /** Varargs form of {@link #allOf(List)}. */
  @SafeVarargs
  static <T> Task<List<T>> allOf(Task<? extends T>... tasks) {
    return allOf(Arrays.asList(tasks));
  }

  /**
   * A task that completes when the first of the given tasks completes (or fails), with that task as
   * its result. The others keep running; cancel the ones you no longer need, such as a timeout
   * timer.
   */
  static Task<Task<?>> anyOf(List<? extends Task<?>> tasks) {
    return CompositeTasks.anyOf(tasks);
  }

  /** Varargs form of {@link #anyOf(List)}. */
  static Task<Task<?>> anyOf(Task<?>... tasks) {
    return anyOf(Arrays.asList(tasks));
  }
}
