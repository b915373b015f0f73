package dev.fermata.internal;

import dev.fermata.spi.ActivityTask;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/**
 * What the engine puts into SLF4J's logging context (MDC) while it runs an orchestration or an
 * activity, so that every line logged meanwhile, by the engine or the user's code, says which: a
 * logging backend shows the keys with its own pattern (logback's {@code %X{instanceId}}).
 */
public final class LogContext implements AutoCloseable {
  /** The instance (an orchestration's id, or an entity's {@code @name@key}). */
  public static final String INSTANCE_ID = "instanceId";

  /** The orchestrator's (or entity's) name. */
  public static final String NAME = "orchestrationName";

  /** The execution of the instance (a new one after continue-as-new). */
  public static final String EXECUTION_ID = "executionId";

  /** The activity running, and its task id in the orchestration's history. */
  public static final String ACTIVITY = "activityName";

  public static final String TASK_ID = "taskId";

  private final List<String> keys = new ArrayList<>(4);

  private LogContext() {}

  /** Puts an orchestration's keys; {@link #close} takes them out again. */
  public static LogContext orchestration(String instanceId, String name, String executionId) {
    return new LogContext()
        .put(INSTANCE_ID, instanceId)
        .put(NAME, name)
        .put(EXECUTION_ID, executionId);
  }

  /** Puts an activity run's keys (and its orchestration's id and execution). */
  public static LogContext activity(ActivityTask task) {
    return new LogContext()
        .put(INSTANCE_ID, task.instanceId())
        .put(EXECUTION_ID, task.executionId())
        .put(ACTIVITY, task.name())
        .put(TASK_ID, Integer.toString(task.taskId()));
  }

  private LogContext put(String key, String value) {
    if (value != null) {
      MDC.put(key, value);
      keys.add(key);
    }
    return this;
  }

  @Override
  public void close() {
    keys.forEach(MDC::remove);
  }
}
