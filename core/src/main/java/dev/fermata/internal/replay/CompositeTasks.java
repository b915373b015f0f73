package dev.fermata.internal.replay;

import dev.fermata.Task;
import java.util.ArrayList;
import java.util.List;

/** {@link Task#allOf} and {@link Task#anyOf}. */
public final class CompositeTasks {
  private CompositeTasks() {}

  public static <T> Task<List<T>> allOf(List<? extends Task<? extends T>> tasks) {
    List<TaskImpl<? extends T>> parts = cast(tasks);
    OrchestrationRunner runner = runnerOf(parts);
    AllOf<T> all = new AllOf<>(runner, parts);
    if (parts.isEmpty()) {
      all.complete(List.of());
    }
    for (TaskImpl<? extends T> part : parts) {
      part.onDone(all::partDone);
    }
    return all;
  }

  public static Task<Task<?>> anyOf(List<? extends Task<?>> tasks) {
    List<TaskImpl<?>> parts = cast(tasks);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("anyOf needs at least one task");
    }
    AnyOf any = new AnyOf(runnerOf(parts));
    // Of the tasks already done, the first to have finished wins, as it would have in history
    // order.
    TaskImpl<?> earliest = null;
    for (TaskImpl<?> part : parts) {
      if (part.isDone()
          && (earliest == null || part.completionOrder() < earliest.completionOrder())) {
        earliest = part;
      }
    }
    if (earliest != null) {
      any.complete(earliest);
    } else {
      for (TaskImpl<?> part : parts) {
        part.onDone(() -> any.complete(part));
      }
    }
    return any;
  }

  @SuppressWarnings("unchecked")
  private static <X extends TaskImpl<?>> List<X> cast(List<? extends Task<?>> tasks) {
    List<X> parts = new ArrayList<>(tasks.size());
    for (Task<?> t : tasks) {
      if (!(t instanceof TaskImpl<?>)) {
        throw new IllegalArgumentException(
            "Only tasks created by an orchestration context can be combined, got " + t);
      }
      parts.add((X) t);
    }
    return parts;
  }

  private static OrchestrationRunner runnerOf(List<? extends TaskImpl<?>> parts) {
    OrchestrationRunner runner = null;
    for (TaskImpl<?> part : parts) {
      if (part.runner != null) {
        if (runner != null && runner != part.runner) {
          throw new IllegalArgumentException(
              "Tasks of different orchestrations cannot be combined");
        }
        runner = part.runner;
      }
    }
    return runner;
  }

  private static final class AllOf<T> extends TaskImpl<List<T>> {
    private final List<TaskImpl<? extends T>> parts;
    private int remaining;

    AllOf(OrchestrationRunner runner, List<TaskImpl<? extends T>> parts) {
      super(runner);
      this.parts = parts;
      this.remaining = parts.size();
    }

    void partDone() {
      if (--remaining > 0 || isDone()) {
        return;
      }
      RuntimeException first = null;
      List<T> results = new ArrayList<>(parts.size());
      for (TaskImpl<? extends T> part : parts) {
        if (part.isFailed()) {
          if (first == null) {
            first = part.failure();
          } else if (first != part.failure()) {
            first.addSuppressed(part.failure());
          }
          results.add(null);
        } else {
          results.add(part.value());
        }
      }
      if (first != null) {
        fail(first);
      } else {
        complete(results);
      }
    }

    @Override
    String describe() {
      return "allOf(" + parts.size() + " tasks)";
    }
  }

  private static final class AnyOf extends TaskImpl<Task<?>> {
    AnyOf(OrchestrationRunner runner) {
      super(runner);
    }

    @Override
    String describe() {
      return "anyOf";
    }
  }
}
