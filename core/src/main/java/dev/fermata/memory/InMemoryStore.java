package dev.fermata.memory;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.HistoryMovedOnException;
import dev.fermata.spi.InstanceChangeListener;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LocalDispatcher;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StoreClosedException;
import dev.fermata.spi.StoreRules;
import dev.fermata.spi.VirtualTimeDispatch;
import dev.fermata.spi.WorkBacklog;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DurableStore} that keeps everything in memory, for unit tests and the test kit. Nothing
 * survives {@link #close()}.
 *
 * <p>One lock guards all state, so every operation is atomic, and checkpoint futures are complete
 * when returned. Dispatch and wake-ups go through a {@link LocalDispatcher}; instance-change
 * listeners run on the calling thread once the lock is released.
 */
public final class InMemoryStore implements DurableStore, VirtualTimeDispatch {
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryStore.class);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition written = lock.newCondition();
  private long writes; // guarded by lock
  private final List<InstanceChangeListener> listeners = new CopyOnWriteArrayList<>();
  private LocalDispatcher<Long> dispatcher; // guarded by lock, like everything below
  private MemoryState state;
  private StoreRules rules;
  private boolean closed;

  /** An empty store; call {@link #start} before use. */
  public InMemoryStore() {}

  @Override
  public void start(InstantSource clock) {
    Objects.requireNonNull(clock, "clock");
    locked(
        () -> {
          if (state != null) {
            throw new IllegalStateException("the store is already started");
          }
          dispatcher = new LocalDispatcher<>(clock);
          state = new MemoryState(clock, dispatcher);
          rules = new StoreRules(clock);
          return null;
        });
  }

  @Override
  public void close() {
    locked(
        () -> {
          closed = true;
          if (dispatcher != null) {
            dispatcher.close();
          }
          return null;
        });
  }

  // ---- client side ----

  @Override
  public boolean createInstance(NewInstance request) {
    Objects.requireNonNull(request, "request");
    return write(() -> rules.createInstance(state, request));
  }

  @Override
  public Optional<OrchestrationStatus> sendMessage(
      NewMessage message, Set<OrchestrationStatus> acceptedStatuses) {
    Objects.requireNonNull(message, "message");
    Set<OrchestrationStatus> accepted = Set.copyOf(acceptedStatuses);
    return write(() -> rules.sendMessage(state, message, accepted));
  }

  @Override
  public Optional<InstanceRecord> getInstance(String instanceId) {
    return read(() -> state.instance(instanceId));
  }

  @Override
  public List<HistoryEvent> getHistory(String instanceId) {
    return read(() -> state.history(instanceId));
  }

  @Override
  public Set<Integer> openTaskIds(String instanceId, String executionId) {
    return read(() -> state.openTaskIds(instanceId, executionId));
  }

  @Override
  public InstancePage queryInstances(
      InstanceFilter filter, boolean newestFirst, int pageSize, String continuationToken) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be at least 1, was " + pageSize);
    }
    PageCursor after = continuationToken == null ? null : PageCursor.decode(continuationToken);
    // One row more than asked tells whether there is a next page.
    List<InstanceRecord> rows = read(() -> state.query(filter, newestFirst, after, pageSize + 1));
    if (rows.size() <= pageSize) {
      return new InstancePage(rows, null);
    }
    InstanceRecord last = rows.get(pageSize - 1);
    return new InstancePage(
        List.copyOf(rows.subList(0, pageSize)),
        new PageCursor(last.createdAt(), last.instanceId()).encode());
  }

  @Override
  public Map<OrchestrationStatus, Long> countInstances(InstanceFilter filter) {
    return read(() -> state.countByStatus(filter));
  }

  @Override
  public boolean purgeInstance(String instanceId) {
    return write(() -> rules.purge(state, instanceId));
  }

  @Override
  public int purgeInstances(InstanceFilter filter, int limit) {
    StoreRules.requirePurgeLimit(limit);
    return write(() -> rules.purgeBatch(state, filter, limit));
  }

  @Override
  public void addInstanceChangeListener(InstanceChangeListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // ---- dead letters ----

  @Override
  public List<DeadLetter> deadLetters(String instanceId, long afterId, int limit) {
    StoreRules.requireLimit(limit);
    return read(() -> state.deadLetters(instanceId, afterId, limit));
  }

  @Override
  public Optional<DeadLetter> redriveDeadLetter(long deadLetterId) {
    return write(() -> rules.redrive(state, deadLetterId));
  }

  @Override
  public Optional<WorkBacklog> backlog() {
    return Optional.of(read(() -> state.workBacklog()));
  }

  // ---- for a test kit that moves a virtual clock ----

  /**
   * Whether the workers have work now or out (an instance ready or locked, an activity task not
   * completed, a timer due), and if not, when the earliest timer falls due: the moment a virtual
   * clock may skip to. One consistent view: every write happens under the same lock.
   */
  @Override
  public LocalDispatcher.Backlog dispatchBacklog() {
    return read(
        () -> state.hasTasks() ? new LocalDispatcher.Backlog(true, null) : dispatcher.backlog());
  }

  /** How many writes this store has applied: {@link #awaitWrite} waits for the next. */
  @Override
  public long writeCount() {
    return locked(() -> writes);
  }

  /**
   * Waits until a write after the {@code seen}-th, or {@code maxWait}.
   *
   * @return true if there was one
   */
  @Override
  public boolean awaitWrite(long seen, Duration maxWait) throws InterruptedException {
    long left = maxWait.toNanos();
    lock.lock();
    try {
      while (writes == seen && !closed) {
        if (left <= 0) {
          return false;
        }
        left = written.awaitNanos(left);
      }
      return writes != seen;
    } finally {
      lock.unlock();
    }
  }

  /** The clock jumped ahead (a virtual clock): waiting workers look again at what is due. */
  @Override
  public void clockMoved() {
    startedDispatcher().wakeAll();
  }

  // ---- orchestration workers ----

  @Override
  public Optional<OrchestrationWorkItem> nextOrchestration(Duration maxWait)
      throws InterruptedException {
    LocalDispatcher<Long> d = startedDispatcher();
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (true) {
      Optional<LocalDispatcher.Lease> lease = d.takeInstance(remaining(deadline));
      if (lease.isEmpty()) {
        return Optional.empty();
      }
      Optional<OrchestrationWorkItem> item = locked(() -> state.workItem(lease.get()));
      if (item.isPresent()) {
        return item;
      }
    }
  }

  @Override
  public CompletableFuture<Void> checkpoint(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    try {
      HistoryMovedOnException refusal = write(() -> rules.checkpoint(state, checkpoint));
      return refusal == null
          ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(refusal);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void abandonOrchestration(OrchestrationWorkItem item, Duration retryDelay) {
    write(
        () -> {
          rules.abandonOrchestration(state, item, retryDelay);
          return null;
        });
  }

  @Override
  public void abandonOrchestrationAfterStoreFailure(
      OrchestrationWorkItem item, Duration retryDelay) {
    write(
        () -> {
          rules.abandonAfterStoreFailure(state, item, retryDelay);
          return null;
        });
  }

  // ---- activity workers ----

  @Override
  public Optional<ActivityWorkItem> nextActivity(Duration maxWait) throws InterruptedException {
    LocalDispatcher<Long> d = startedDispatcher();
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (true) {
      Optional<Long> taskId = d.takeActivity(remaining(deadline));
      if (taskId.isEmpty()) {
        return Optional.empty();
      }
      Optional<ActivityWorkItem> item = locked(() -> state.lockTask(taskId.get()));
      if (item.isPresent()) {
        return item;
      }
    }
  }

  @Override
  public CompletableFuture<Void> completeActivity(ActivityWorkItem item, HistoryEvent result) {
    try {
      write(
          () -> {
            rules.completeActivity(state, item, result);
            return null;
          });
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void abandonActivity(ActivityWorkItem item) {
    write(
        () -> {
          rules.abandonActivity(state, item);
          return null;
        });
  }

  @Override
  public void giveBackActivity(ActivityWorkItem item) {
    write(
        () -> {
          rules.giveBackActivity(state, item);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> deadLetterActivity(ActivityWorkItem item, FailureDetails failure) {
    try {
      write(
          () -> {
            rules.deadLetterActivity(state, item, failure);
            return null;
          });
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---- locking and listeners ----

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  private LocalDispatcher<Long> startedDispatcher() {
    return locked(
        () -> {
          if (dispatcher == null) {
            throw new IllegalStateException("the store is not started: call start(clock) first");
          }
          return dispatcher;
        });
  }

  /** Runs {@code body} under the lock, even while closing (dispatch bookkeeping). */
  private <T> T locked(Supplier<T> body) {
    lock.lock();
    try {
      return body.get();
    } finally {
      lock.unlock();
    }
  }

  private <T> T read(Supplier<T> body) {
    return locked(
        () -> {
          requireOpen();
          return body.get();
        });
  }

  /** Runs {@code body} atomically, then tells listeners about the instances it changed. */
  private <T> T write(Supplier<T> body) {
    Map<String, MemoryState.Change> changed = new LinkedHashMap<>();
    T result =
        locked(
            () -> {
              requireOpen();
              try {
                return body.get();
              } finally {
                changed.putAll(state.drainChanged());
                writes++;
                written.signalAll();
              }
            });
    notifyListeners(changed);
    return result;
  }

  private void requireOpen() {
    if (state == null) {
      throw new IllegalStateException("the store is not started: call start(clock) first");
    }
    if (closed) {
      throw new StoreClosedException("the in-memory store is closed");
    }
  }

  private void notifyListeners(Map<String, MemoryState.Change> changed) {
    for (Map.Entry<String, MemoryState.Change> change : changed.entrySet()) {
      String id = change.getKey();
      MemoryState.Change c = change.getValue();
      for (InstanceChangeListener listener : listeners) {
        try {
          if (c.row() != null) {
            listener.changed(c.row());
          } else {
            listener.changed(id, c.status());
          }
        } catch (RuntimeException e) {
          LOG.warn("instance-change listener failed for '{}'", id, e);
        }
      }
    }
  }
}
