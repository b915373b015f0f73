package dev.fermata.internal.worker;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.PoisonMessageException;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.EngineTracing;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.JsonConverter;
import dev.fermata.internal.LogContext;
import dev.fermata.internal.entities.EntityBatch;
import dev.fermata.internal.entities.HeldLocks;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.EntityRows;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NoRemoteWorkerException;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.RemoteWorkers;
import dev.fermata.spi.StaleLockException;
import dev.fermata.spi.StoreClosedException;
import dev.fermata.spi.StoreFailureLog;
import dev.fermata.spi.StoreUnavailableException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes orchestration work items from the store and runs each episode on a virtual thread, at most
 * {@code maxConcurrent} at once. An episode that cannot be processed (a store error, an unreadable
 * row) is retried with backoff a bounded number of times, then its instance is failed and its
 * messages quarantined, while every other instance keeps going.
 */
public final class OrchestrationWorker extends DispatchLoop<OrchestrationWorkItem> {
  private static final Logger log = LoggerFactory.getLogger(OrchestrationWorker.class);

  /** How soon an episode the store failed to record is tried again. */
  private static final Duration STORE_FAILURE_RETRY_DELAY = Duration.ofSeconds(1);

  private final DurableStore store;
  private final EpisodeProcessor processor;
  private final EntityBatch entities;
  private final InstanceCache cache;
  private final EngineMetrics metrics;
  private final EngineTracing tracing;
  private final InstantSource clock;
  private final int maxDeliveryAttempts;
  private final Map<String, String> lastErrors = new ConcurrentHashMap<>();
  private final WriteOutcomes writes;
  private final StoreFailureLog storageFailures = new StoreFailureLog(log);

  public OrchestrationWorker(
      DurableStore store,
      FunctionRegistry functions,
      JsonConverter json,
      InstantSource clock,
      int maxConcurrent,
      int cacheCapacity,
      Duration cacheIdleTimeout,
      int maxDeliveryAttempts,
      int maxEntityBatchSize,
      WriteOutcomes writes,
      RemoteWorkers remote,
      Duration blockingLimit,
      EngineMetrics metrics,
      EngineTracing tracing) {
    super("fermata-orchestrations", new Semaphore(maxConcurrent));
    this.metrics = metrics;
    this.tracing = tracing;
    this.writes = writes;
    this.store = store;
    this.clock = clock;
    this.processor = new EpisodeProcessor(store, functions, json, clock, remote, blockingLimit);
    this.entities = new EntityBatch(store, functions, json, clock, maxEntityBatchSize, remote);
    this.cache = new InstanceCache(cacheCapacity, cacheIdleTimeout, clock);
    metrics.gaugeCacheSize(cache::size);
    this.maxDeliveryAttempts = maxDeliveryAttempts;
  }

  @Override
  protected Optional<OrchestrationWorkItem> next(Duration maxWait) throws InterruptedException {
    return store.nextOrchestration(maxWait);
  }

  @Override
  protected void handle(OrchestrationWorkItem item, Slot slot) {
    InstanceRecord instance = item.instance();
    // What the engine logs about this episode says which instance it is about.
    try (LogContext logged =
        LogContext.orchestration(instance.instanceId(), instance.name(), instance.executionId())) {
      handleLogged(item, slot);
    }
  }

  private void handleLogged(OrchestrationWorkItem item, Slot slot) {
    long handedOut = System.nanoTime();
    String id = item.instance().instanceId();
    try {
      item.ready().join(); // a redelivery's count, committed before the episode runs again
    } catch (CompletionException e) {
      if (!(e.getCause() instanceof StoreClosedException)) { // else handed out after the restart
        abandon(item, e.getCause() != null ? e.getCause() : e);
      }
      return;
    }
    if (EntityRows.isEntityId(id)) {
      handleEntity(item, slot);
      return;
    }
    InstanceCache.Checkout checkout = cache.take(id);
    metrics.cacheLookup(checkout.runner() != null);
    CachedInstance parked = null;
    // Whether the checkpoint committed: the parked runner may be reused only if it did.
    CompletableFuture<Boolean> durable = new CompletableFuture<>();
    boolean checkedIn = false;
    try {
      if (deliveryCount(item) >= maxDeliveryAttempts) {
        discard(checkout.runner());
        cache.putBack(id, checkout, null, durable);
        checkedIn = true;
        awaitDurable(store.checkpoint(quarantine(item)), slot);
        metrics.gaveUp();
        lastErrors.remove(id);
        return;
      }
      EpisodeProcessor.Result result = processor.process(item, checkout.runner());
      parked = result.toCache();
      // Park the runner before committing: the commit unlocks the instance, and its next episode
      // must find the runner here rather than replay the history.
      cache.putBack(id, checkout, parked, durable);
      checkedIn = true;
      awaitDurable(store.checkpoint(result.checkpoint()), slot);
      durable.complete(true);
      lastErrors.remove(id);
      recordEpisode(item, result, handedOut);
    } catch (CompletionException e) {
      durable.complete(false); // before the abandon below, which may take a while
      cache.evict(id, parked); // it is ahead of the stored history
      if (e.getCause() instanceof StaleLockException stale) {
        log.debug("Checkpoint of {} refused: {}", id, stale.getMessage());
      } else {
        abandon(item, e.getCause() != null ? e.getCause() : e);
      }
    } catch (RuntimeException e) {
      durable.complete(false);
      cache.evict(id, parked);
      abandon(item, e);
    } finally {
      durable.complete(false); // no effect if completed above; an Error must not strand a waiter
      if (!checkedIn) {
        // The episode failed before it produced a runner: the one it took may be half-advanced.
        discard(checkout.runner());
        cache.putBack(id, checkout, null, durable);
      }
    }
  }

  /**
   * Waits for a checkpoint to become durable without holding a slot: the work is done, and other
   * episodes' checkpoints may then share the commit.
   */
  /** The episode's time, and the instance's end if it ended. */
  private void recordEpisode(
      OrchestrationWorkItem item, EpisodeProcessor.Result result, long handedOut) {
    Checkpoint checkpoint = result.checkpoint();
    String name = item.instance().name();
    metrics.episode(name, Duration.ofNanos(System.nanoTime() - handedOut));
    OrchestrationStatus before = item.instance().status();
    OrchestrationStatus now = checkpoint.instance().status();
    if (before == OrchestrationStatus.PENDING && now != OrchestrationStatus.PENDING) {
      metrics.instanceStarted(name);
    }
    if (now.isTerminal() && !before.isTerminal()) {
      metrics.instanceEnded(name, now);
    }
    result.retries().forEach(metrics::retried);
    tracing.episodeCommitted(item.instance(), checkpoint);
  }

  private void awaitDurable(CompletableFuture<Void> checkpoint, Slot slot) {
    slot.release();
    long committing = System.nanoTime();
    try {
      checkpoint.join();
    } catch (CompletionException e) {
      if (!(e.getCause() instanceof StaleLockException)) {
        writes.failed();
      }
      throw e;
    }
    metrics.checkpointCommitted(committing);
    writes.succeeded();
  }

  /** Entities have no runner to cache: each batch starts from the stored row. */
  private void handleEntity(OrchestrationWorkItem item, Slot slot) {
    String id = item.instance().instanceId();
    try {
      Checkpoint checkpoint;
      if (deliveryCount(item) >= maxDeliveryAttempts) {
        log.error(
            "Entity '{}': {} message(s) failed {} times and were moved to the dead-letter store;"
                + " last error: {}",
            id,
            item.messages().size(),
            maxDeliveryAttempts,
            lastErrors.getOrDefault(id, "see the logs"));
        checkpoint = deadLetterEntityBatch(item);
      } else {
        checkpoint = entities.process(item);
      }
      awaitDurable(store.checkpoint(checkpoint), slot);
      lastErrors.remove(id);
    } catch (CompletionException e) {
      if (e.getCause() instanceof StaleLockException stale) {
        log.debug("Checkpoint of entity {} refused: {}", id, stale.getMessage());
      } else {
        abandon(item, e.getCause() != null ? e.getCause() : e);
      }
    } catch (RuntimeException e) {
      abandon(item, e);
    }
  }

  /**
   * Moves an entity's messages to the dead-letter store and answers every call and lock request
   * among them with a failure, so that the calling orchestrations fail fast instead of waiting
   * forever (a failed lock releases what its section had taken, see {@code lockEntities}).
   */
  private Checkpoint deadLetterEntityBatch(OrchestrationWorkItem item) {
    String id = item.instance().instanceId();
    FailureDetails failure =
        new FailureDetails(
            PoisonMessageException.class.getName(),
            "Entity '"
                + id
                + "' failed to process this operation "
                + maxDeliveryAttempts
                + " times in a row; the operation was moved to the dead-letter store without"
                + " running. Last error: "
                + lastErrors.getOrDefault(id, "see the logs"),
            null,
            null,
            true);
    CheckpointBuilder out = new CheckpointBuilder(item, clock.instant());
    out.deadLetter(failure.errorMessage());
    for (InboxMessage m : item.messages()) {
      switch (m.event()) {
        case HistoryEvent.EntityOperationRequested op
            when op.responseId() >= 0 && op.senderId() != null ->
            out.send(
                op.senderId(),
                op.senderExecutionId(),
                null,
                new HistoryEvent.EntityOperationFailed(out.now, op.responseId(), failure));
        case HistoryEvent.EntityLockRequest lock when lock.senderId() != null ->
            out.send(
                lock.senderId(),
                lock.senderExecutionId(),
                null,
                new HistoryEvent.EntityOperationFailed(out.now, lock.responseId(), failure));
        default -> {} // signals and unlocks: nobody waits for an answer
      }
    }
    return out.build(item.instance());
  }

  private static void discard(CachedInstance runner) {
    if (runner != null) {
      runner.discard();
    }
  }

  private void abandon(OrchestrationWorkItem item, Throwable error) {
    String id = item.instance().instanceId();
    if (NoRemoteWorkerException.isCauseOf(error)) {
      log.debug("Episode of instance '{}' given back to the store: {}", id, error.getMessage());
      release(item, () -> store.giveBackOrchestration(item));
      return;
    }
    Duration retryDelay;
    Optional<StoreUnavailableException> storage = StoreFailureLog.cause(error);
    if (storage.isPresent()) {
      // The store failed, not the episode: retried without using up one of its attempts.
      storageFailures.warn(
          "Episode of instance '" + id + "' could not be stored; it will be retried",
          storage.get());
      retryDelay = STORE_FAILURE_RETRY_DELAY;
    } else {
      int attempt = deliveryCount(item) + 1;
      lastErrors.put(id, error.toString());
      log.warn(
          "Episode of instance '{}' failed (attempt {} of {}); it will be retried",
          id,
          attempt,
          maxDeliveryAttempts,
          error);
      retryDelay = Duration.ofMillis(Math.min(100L << attempt, 10_000));
    }
    Duration delay = retryDelay;
    release(
        item,
        storage.isPresent()
            ? () -> store.abandonOrchestrationAfterStoreFailure(item, delay)
            : () -> store.abandonOrchestration(item, delay));
  }

  private void release(OrchestrationWorkItem item, Runnable release) {
    String id = item.instance().instanceId();
    try {
      release.run();
    } catch (RuntimeException e) {
      StoreFailureLog.cause(e)
          .ifPresentOrElse(
              failure -> storageFailures.warn("Could not release instance '" + id + "'", failure),
              () -> log.error("Could not release instance '{}'", id, e));
    }
  }

  private static int deliveryCount(OrchestrationWorkItem item) {
    int max = 0;
    for (InboxMessage m : item.messages()) {
      max = Math.max(max, m.deliveryCount());
    }
    return max;
  }

  /** Fails the instance and moves its messages to the dead-letter store. */
  private Checkpoint quarantine(OrchestrationWorkItem item) {
    InstanceRecord instance = item.instance();
    String lastError = lastErrors.getOrDefault(instance.instanceId(), "see the logs");
    FailureDetails failure =
        new FailureDetails(
            PoisonMessageException.class.getName(),
            "Processing instance '"
                + instance.instanceId()
                + "' failed "
                + maxDeliveryAttempts
                + " times in a row; its "
                + item.messages().size()
                + " pending message(s) were moved to the dead-letter store. Last error: "
                + lastError,
            null,
            null,
            true);
    CheckpointBuilder out = new CheckpointBuilder(item, clock.instant());
    out.deadLetter(failure.errorMessage());
    if (instance.status().isTerminal()) {
      return out.unchanged(instance);
    }
    try {
      ActionRecorder.releaseLocks(
          out, instance.instanceId(), HeldLocks.in(store.getHistory(instance.instanceId())));
    } catch (RuntimeException e) {
      log.warn(
          "Instance '{}': cannot read its history to release its entity locks",
          instance.instanceId(),
          e);
    }
    out.resetHistory(); // the history itself may be what cannot be read
    out.record(new HistoryEvent.OrchestratorStarted(out.now));
    out.record(
        new HistoryEvent.ExecutionCompleted(out.now, OrchestrationStatus.FAILED, null, failure));
    InstanceRecord failed =
        instance.withOutcome(OrchestrationStatus.FAILED, null, failure, out.now);
    if (instance.parent() != null) {
      out.send(
          instance.parent().instanceId(),
          instance.parent().executionId(),
          null,
          new HistoryEvent.SubOrchestrationInstanceFailed(
              out.now, instance.parent().taskScheduledId(), failure));
    }
    log.error("Instance '{}' quarantined: {}", instance.instanceId(), failure.errorMessage());
    return out.build(failed);
  }

  /** Live runners parked in the cache (for tests and metrics). */
  public int cachedInstances() {
    return cache.size();
  }

  @Override
  protected void afterStop() {
    cache.clear();
  }
}
