package dev.fermata.internal.worker;

import dev.fermata.Activity;
import dev.fermata.ActivityContext;
import dev.fermata.FailureDetails;
import dev.fermata.PoisonMessageException;
import dev.fermata.UnknownFunctionException;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.EngineTracing;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.JsonConverter;
import dev.fermata.internal.LogContext;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.NoRemoteWorkerException;
import dev.fermata.spi.RemoteWorkers;
import dev.fermata.spi.StaleLockException;
import dev.fermata.spi.StoreClosedException;
import dev.fermata.spi.StoreFailureLog;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs activity tasks on virtual threads, at most {@code maxConcurrent} at once, and hands each
 * result (or failure, as data) back to the store, which delivers it to the orchestration. A task
 * already delivered {@code maxDeliveryAttempts} times without a result (each delivery crashed or
 * lost its worker) is not run again: it is dead-lettered, and its orchestration gets a failure.
 */
public final class ActivityWorker extends DispatchLoop<ActivityWorkItem> {
  private static final Logger log = LoggerFactory.getLogger(ActivityWorker.class);

  private final WriteOutcomes writes;
  private final StoreFailureLog storageFailures = new StoreFailureLog(log);

  /** How long a task whose delivery could not be recorded waits before it is released. */
  private static final Duration STORE_FAILURE_RETRY_DELAY = Duration.ofSeconds(1);

  private final DurableStore store;
  private final FunctionRegistry functions;
  private final JsonConverter json;
  private final InstantSource clock;
  private final int maxDeliveryAttempts;
  private final Set<ActivityWorkItem> running = ConcurrentHashMap.newKeySet();
  private volatile boolean abandoned;
  private final RemoteWorkers remote;
  private final EngineMetrics metrics;
  private final EngineTracing tracing;

  public ActivityWorker(
      DurableStore store,
      FunctionRegistry functions,
      JsonConverter json,
      InstantSource clock,
      int maxConcurrent,
      int maxDeliveryAttempts,
      WriteOutcomes writes,
      RemoteWorkers remote,
      EngineMetrics metrics,
      EngineTracing tracing) {
    super("fermata-activities", new Semaphore(maxConcurrent));
    this.metrics = metrics;
    this.tracing = tracing;
    this.writes = writes;
    this.store = store;
    this.functions = functions;
    this.json = json;
    this.clock = clock;
    this.maxDeliveryAttempts = maxDeliveryAttempts;
    this.remote = remote;
  }

  @Override
  protected Optional<ActivityWorkItem> next(Duration maxWait) throws InterruptedException {
    return store.nextActivity(maxWait);
  }

  @Override
  protected void handle(ActivityWorkItem item, Slot slot) {
    if (!awaitReady(item)) {
      return;
    }
    running.add(item);
    try {
      if (item.deliveryCount() >= maxDeliveryAttempts) {
        deadLetter(item, slot);
        return;
      }
      long started = System.nanoTime();
      HistoryEvent result = executeTraced(item);
      metrics.activity(
          item.task().name(),
          result instanceof HistoryEvent.TaskFailed,
          Duration.ofNanos(System.nanoTime() - started));
      if (abandoned) {
        return; // shut down past the grace period: the task runs again after restart
      }
      var durable = store.completeActivity(item, result);
      slot.release(); // the activity ran: waiting for the commit needs no slot
      durable.join();
      writes.succeeded();
    } catch (RemoteCallLost e) {
      if (NoRemoteWorkerException.isCauseOf(e)) {
        // Not run: it goes back for an engine whose worker can run it, and the delivery does not
        // count.
        log.debug("Activity '{}' (task {}) given back to the store", item.task().name(), item.id());
        release(item, () -> store.giveBackActivity(item));
        return;
      }
      // Like a crash of this process: the task runs again, and the delivery counts.
      log.warn(
          "Activity '{}' (task {}) was not answered by its remote worker; it will run again: {}",
          item.task().name(),
          item.id(),
          e.getCause().toString());
      release(item, () -> store.abandonActivity(item));
    } catch (CompletionException e) {
      if (e.getCause() instanceof StaleLockException) {
        log.debug("Result of task {} dropped: {}", item.id(), e.getCause().getMessage());
      } else {
        writes.failed();
        String what = "Could not store the result of activity '" + item.task().name() + "'";
        StoreFailureLog.cause(e)
            .ifPresentOrElse(
                storage -> storageFailures.warn(what + "; it will run again", storage),
                () -> log.error(what, e));
        release(item, () -> store.abandonActivity(item));
      }
    } finally {
      running.remove(item);
    }
  }

  /**
   * Waits until the store lets the task run (a redelivery's count committed first); if it could not
   * record the delivery, releases the task after a pause (the store is failing: no hurry) and
   * returns false.
   */
  private boolean awaitReady(ActivityWorkItem item) {
    try {
      item.ready().join();
      return true;
    } catch (CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof StoreClosedException) {
        return false; // shutting down: the task is handed out again after the restart
      }
      String what = "Could not record a delivery of task " + item.id();
      StoreFailureLog.cause(cause)
          .ifPresentOrElse(
              storage -> storageFailures.warn(what + "; it will be retried", storage),
              () -> log.error(what, cause));
      try {
        Thread.sleep(STORE_FAILURE_RETRY_DELAY);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      release(item, () -> store.abandonActivity(item));
      return false;
    }
  }

  private void release(ActivityWorkItem item, Runnable release) {
    try {
      release.run();
    } catch (RuntimeException abandonFailed) {
      StoreFailureLog.cause(abandonFailed)
          .ifPresentOrElse(
              storage -> storageFailures.warn("Could not release task " + item.id(), storage),
              () -> log.warn("Could not release task {}", item.id(), abandonFailed));
    }
  }

  /** Gives up on a task whose deliveries never finished, rather than run it once more. */
  private void deadLetter(ActivityWorkItem item, Slot slot) {
    ActivityTask task = item.task();
    FailureDetails failure =
        new FailureDetails(
            PoisonMessageException.class.getName(),
            "Activity '"
                + task.name()
                + "' (task "
                + task.taskId()
                + " of instance '"
                + task.instanceId()
                + "') was delivered "
                + item.deliveryCount()
                + " times without finishing; it was dead-lettered instead of being run again",
            null,
            null,
            true);
    log.error("{}", failure.errorMessage());
    var durable = store.deadLetterActivity(item, failure);
    slot.release();
    durable.join();
    metrics.gaveUp();
    writes.succeeded();
  }

  /**
   * Runs the task in its span, current meanwhile, so that what the activity calls joins the trace,
   * and with its keys in the logging context.
   */
  private HistoryEvent executeTraced(ActivityWorkItem item) {
    Span span = tracing.activityStarted(item.task());
    HistoryEvent result;
    try (Scope ignored = span.makeCurrent();
        LogContext logged = LogContext.activity(item.task())) {
      result = execute(item);
    } catch (RuntimeException | Error e) {
      EngineTracing.activityEnded(span, e.toString());
      throw e;
    }
    EngineTracing.activityEnded(
        span,
        result instanceof HistoryEvent.TaskFailed failed ? failed.failure().errorMessage() : null);
    return result;
  }

  private HistoryEvent execute(ActivityWorkItem item) {
    ActivityTask task = item.task();
    Activity activity = functions.activity(task.name());
    if (activity == null && remote != null) {
      try {
        return remote.runActivity(task, item.deliveryCount()).join();
      } catch (CompletionException e) {
        throw new RemoteCallLost(e.getCause() != null ? e.getCause() : e);
      }
    }
    if (activity == null) {
      UnknownFunctionException unknown =
          new UnknownFunctionException("activity", task.name(), functions.activityNames());
      return new HistoryEvent.TaskFailed(
          clock.instant(), task.taskId(), FailureDetails.fromException(unknown));
    }
    try {
      Object output = activity.run(new Context(item));
      String outputJson = json.serialize(output, "output of activity '" + task.name() + "'");
      return new HistoryEvent.TaskCompleted(clock.instant(), task.taskId(), outputJson);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
        throw vme;
      }
      return new HistoryEvent.TaskFailed(
          clock.instant(), task.taskId(), FailureDetails.fromException(t));
    }
  }

  @Override
  protected void abandonInFlight() {
    abandoned = true;
    for (ActivityWorkItem item : running) {
      try {
        store.abandonActivity(item);
      } catch (RuntimeException e) {
        log.warn("Could not release activity task {}", item.id(), e);
      }
    }
  }

  /** A remote worker took the call and went away, or could not take it. */
  private static final class RemoteCallLost extends RuntimeException {
    RemoteCallLost(Throwable cause) {
      super(cause);
    }
  }

  private final class Context implements ActivityContext {
    private final ActivityWorkItem item;

    Context(ActivityWorkItem item) {
      this.item = item;
    }

    @Override
    public String getName() {
      return item.task().name();
    }

    @Override
    public String getInstanceId() {
      return item.task().instanceId();
    }

    @Override
    public int getTaskId() {
      return item.task().taskId();
    }

    @Override
    public <T> T getInput(Class<T> type) {
      return json.deserialize(item.task().input(), type, "input of activity '" + getName() + "'");
    }

    @Override
    public int getDeliveryCount() {
      return item.deliveryCount();
    }

    @Override
    public String getIdempotencyKey() {
      ActivityTask t = item.task();
      return t.instanceId() + ":" + t.executionId() + ":" + t.taskId();
    }
  }
}
