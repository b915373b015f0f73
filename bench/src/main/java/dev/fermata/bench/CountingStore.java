package dev.fermata.bench;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InstanceChangeListener;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.WorkBacklog;
import dev.fermata.spi.WorkScope;
import dev.fermata.spi.WorkerStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * A store that counts the calls that explain where time goes: history reads (each is a full replay
 * by the engine, when the instance was not in its cache), checkpoints, and abandoned episodes
 * (refused, stale checkpoints among them). Delegates everything.
 */
final class CountingStore implements DurableStore {
  final DurableStore delegate;
  final LongAdder historyReads = new LongAdder();
  final LongAdder historyEventsRead = new LongAdder();
  final LongAdder checkpoints = new LongAdder();
  final LongAdder abandons = new LongAdder();

  CountingStore(DurableStore delegate) {
    this.delegate = delegate;
  }

  /** A snapshot of the counters. */
  record Counts(long historyReads, long historyEventsRead, long checkpoints, long abandons) {
    Counts minus(Counts o) {
      return new Counts(
          historyReads - o.historyReads,
          historyEventsRead - o.historyEventsRead,
          checkpoints - o.checkpoints,
          abandons - o.abandons);
    }
  }

  Counts counts() {
    return new Counts(
        historyReads.sum(), historyEventsRead.sum(), checkpoints.sum(), abandons.sum());
  }

  @Override
  public void start(InstantSource clock) {
    delegate.start(clock);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public boolean createInstance(NewInstance request) {
    return delegate.createInstance(request);
  }

  @Override
  public Optional<OrchestrationStatus> sendMessage(
      NewMessage message, Set<OrchestrationStatus> acceptedStatuses) {
    return delegate.sendMessage(message, acceptedStatuses);
  }

  @Override
  public Optional<InstanceRecord> getInstance(String instanceId) {
    return delegate.getInstance(instanceId);
  }

  @Override
  public Set<Integer> openTaskIds(String instanceId, String executionId) {
    return delegate.openTaskIds(instanceId, executionId);
  }

  @Override
  public List<HistoryEvent> getHistory(String instanceId) {
    List<HistoryEvent> h = delegate.getHistory(instanceId);
    historyReads.increment();
    historyEventsRead.add(h.size());
    return h;
  }

  @Override
  public InstancePage queryInstances(
      InstanceFilter filter, boolean newestFirst, int pageSize, String continuationToken) {
    return delegate.queryInstances(filter, newestFirst, pageSize, continuationToken);
  }

  @Override
  public Map<OrchestrationStatus, Long> countInstances(InstanceFilter filter) {
    return delegate.countInstances(filter);
  }

  @Override
  public boolean purgeInstance(String instanceId) {
    return delegate.purgeInstance(instanceId);
  }

  @Override
  public int purgeInstances(InstanceFilter filter, int limit) {
    return delegate.purgeInstances(filter, limit);
  }

  @Override
  public void addInstanceChangeListener(InstanceChangeListener listener) {
    delegate.addInstanceChangeListener(listener);
  }

  @Override
  public Optional<OrchestrationWorkItem> nextOrchestration(Duration maxWait)
      throws InterruptedException {
    return delegate.nextOrchestration(maxWait);
  }

  @Override
  public CompletableFuture<Void> checkpoint(Checkpoint checkpoint) {
    checkpoints.increment();
    return delegate.checkpoint(checkpoint);
  }

  @Override
  public void abandonOrchestration(OrchestrationWorkItem item, Duration retryDelay) {
    abandons.increment();
    delegate.abandonOrchestration(item, retryDelay);
  }

  @Override
  public void abandonOrchestrationAfterStoreFailure(
      OrchestrationWorkItem item, Duration retryDelay) {
    abandons.increment();
    delegate.abandonOrchestrationAfterStoreFailure(item, retryDelay);
  }

  @Override
  public Optional<ActivityWorkItem> nextActivity(Duration maxWait) throws InterruptedException {
    return delegate.nextActivity(maxWait);
  }

  @Override
  public CompletableFuture<Void> completeActivity(ActivityWorkItem item, HistoryEvent result) {
    return delegate.completeActivity(item, result);
  }

  @Override
  public void abandonActivity(ActivityWorkItem item) {
    delegate.abandonActivity(item);
  }

  @Override
  public void giveBackActivity(ActivityWorkItem item) {
    delegate.giveBackActivity(item);
  }

  @Override
  public boolean scopeWork(WorkScope scope) {
    return delegate.scopeWork(scope);
  }

  @Override
  public void workScopeChanged() {
    delegate.workScopeChanged();
  }

  @Override
  public Optional<WorkBacklog> backlog() {
    return delegate.backlog();
  }

  @Override
  public List<WorkerStatus> workers() {
    return delegate.workers();
  }

  @Override
  public void registerMetrics(MeterRegistry registry) {
    delegate.registerMetrics(registry);
  }

  @Override
  public List<DeadLetter> deadLetters(String instanceId, long afterId, int limit) {
    return delegate.deadLetters(instanceId, afterId, limit);
  }

  @Override
  public Optional<DeadLetter> redriveDeadLetter(long deadLetterId) {
    return delegate.redriveDeadLetter(deadLetterId);
  }

  @Override
  public CompletableFuture<Void> deadLetterActivity(ActivityWorkItem item, FailureDetails failure) {
    return delegate.deadLetterActivity(item, failure);
  }
}
