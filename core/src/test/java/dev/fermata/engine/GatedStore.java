package dev.fermata.engine;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store wrapper for tests: orchestration work is held back until {@link #open()}, so messages
 * pile up, and every checkpoint submitted is recorded per instance.
 */
public final class GatedStore implements DurableStore {
  private final DurableStore store;
  private final CountDownLatch gate = new CountDownLatch(1);
  private final Map<String, List<Checkpoint>> checkpoints = new ConcurrentHashMap<>();
  private final AtomicInteger historyReads = new AtomicInteger();

  public GatedStore(DurableStore store) {
    this.store = store;
  }

  /** Lets orchestration and entity work through. */
  public void open() {
    gate.countDown();
  }

  /** How many times a history was read from the store. */
  public int historyReads() {
    return historyReads.get();
  }

  /** The checkpoints committed for {@code instanceId}, in order. */
  public List<Checkpoint> checkpoints(String instanceId) {
    return List.copyOf(checkpoints.getOrDefault(instanceId, List.of()));
  }

  @Override
  public Optional<OrchestrationWorkItem> nextOrchestration(Duration maxWait)
      throws InterruptedException {
    if (!gate.await(maxWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      return Optional.empty();
    }
    return store.nextOrchestration(maxWait);
  }

  @Override
  public CompletableFuture<Void> checkpoint(Checkpoint checkpoint) {
    // Recorded before the commit, so that a test seeing its effect also sees it here.
    checkpoints
        .computeIfAbsent(checkpoint.instanceId(), k -> new CopyOnWriteArrayList<>())
        .add(checkpoint);
    return store.checkpoint(checkpoint);
  }

  @Override
  public void start(InstantSource clock) {
    store.start(clock);
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public boolean createInstance(NewInstance request) {
    return store.createInstance(request);
  }

  @Override
  public Optional<OrchestrationStatus> sendMessage(
      NewMessage message, Set<OrchestrationStatus> acceptedStatuses) {
    return store.sendMessage(message, acceptedStatuses);
  }

  @Override
  public Optional<InstanceRecord> getInstance(String instanceId) {
    return store.getInstance(instanceId);
  }

  @Override
  public Set<Integer> openTaskIds(String instanceId, String executionId) {
    return store.openTaskIds(instanceId, executionId);
  }

  @Override
  public List<HistoryEvent> getHistory(String instanceId) {
    historyReads.incrementAndGet();
    return store.getHistory(instanceId);
  }

  @Override
  public InstancePage queryInstances(
      InstanceFilter filter, boolean newestFirst, int pageSize, String continuationToken) {
    return store.queryInstances(filter, newestFirst, pageSize, continuationToken);
  }

  @Override
  public Map<OrchestrationStatus, Long> countInstances(InstanceFilter filter) {
    return store.countInstances(filter);
  }

  @Override
  public boolean purgeInstance(String instanceId) {
    return store.purgeInstance(instanceId);
  }

  @Override
  public int purgeInstances(InstanceFilter filter, int limit) {
    return store.purgeInstances(filter, limit);
  }

  @Override
  public void addInstanceChangeListener(InstanceChangeListener listener) {
    store.addInstanceChangeListener(listener);
  }

  @Override
  public void abandonOrchestration(OrchestrationWorkItem item, Duration retryDelay) {
    store.abandonOrchestration(item, retryDelay);
  }

  @Override
  public void abandonOrchestrationAfterStoreFailure(
      OrchestrationWorkItem item, Duration retryDelay) {
    store.abandonOrchestrationAfterStoreFailure(item, retryDelay);
  }

  @Override
  public Optional<ActivityWorkItem> nextActivity(Duration maxWait) throws InterruptedException {
    return store.nextActivity(maxWait);
  }

  @Override
  public CompletableFuture<Void> completeActivity(ActivityWorkItem item, HistoryEvent result) {
    return store.completeActivity(item, result);
  }

  @Override
  public void abandonActivity(ActivityWorkItem item) {
    store.abandonActivity(item);
  }

  @Override
  public boolean scopeWork(WorkScope scope) {
    return store.scopeWork(scope);
  }

  @Override
  public void workScopeChanged() {
    store.workScopeChanged();
  }

  @Override
  public Optional<WorkBacklog> backlog() {
    return store.backlog();
  }

  @Override
  public List<WorkerStatus> workers() {
    return store.workers();
  }

  @Override
  public void registerMetrics(MeterRegistry registry) {
    store.registerMetrics(registry);
  }

  @Override
  public void giveBackActivity(ActivityWorkItem item) {
    store.giveBackActivity(item);
  }

  @Override
  public List<DeadLetter> deadLetters(String instanceId, long afterId, int limit) {
    return store.deadLetters(instanceId, afterId, limit);
  }

  @Override
  public Optional<DeadLetter> redriveDeadLetter(long deadLetterId) {
    return store.redriveDeadLetter(deadLetterId);
  }

  @Override
  public CompletableFuture<Void> deadLetterActivity(ActivityWorkItem item, FailureDetails failure) {
    return store.deadLetterActivity(item, failure);
  }
}
