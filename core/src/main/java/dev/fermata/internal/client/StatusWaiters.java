package dev.fermata.internal.client;

import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.InstanceChangeListener;
import dev.fermata.spi.InstanceRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Wakes clients waiting on an instance as soon as the store reports a change to it, with the new
 * status when the store knows it, so that a waiter for another status goes on waiting without
 * reading the row. Waiters also re-check now and then, as a safety net.
 *
 * <p>A change completes the instance's current {@link Watch} and puts its successor in its place
 * before anyone wakes, so a waiter that moves on to the successor misses no later change. Watches
 * are counted and removed when their last waiter leaves, so an instance that is waited on once and
 * then never changes (a million instances waiting for events) leaves nothing behind.
 */
final class StatusWaiters implements InstanceChangeListener {
  /** One instance's next change, shared by everyone waiting on it. */
  static final class Watch {
    private final CompletableFuture<Heard> change = new CompletableFuture<>();
    private volatile Watch next; // set (before the change completes) when the change happens
    private int waiters; // guarded by the map's compute for the instance id
  }

  /**
   * What {@link #await} saw: whether the instance changed, to what status if known, and its row as
   * stored by the change if the store passed it on (then nobody need read it).
   */
  record Heard(boolean changed, OrchestrationStatus status, InstanceRecord row) {
    static final Heard NOTHING = new Heard(false, null, null);
  }

  private final ConcurrentHashMap<String, Watch> watches = new ConcurrentHashMap<>();

  /**
   * Call before checking the status; wait on the result (and its successors, see {@link #next}) as
   * long as needed, and {@link #release} the last one in any case.
   */
  Watch watch(String instanceId) {
    return watches.compute(
        instanceId,
        (id, w) -> {
          Watch watch = w == null ? new Watch() : w;
          watch.waiters++;
          return watch;
        });
  }

  /** After {@code watch} saw a change: the watch of the change after it, for the same waiter. */
  static Watch next(Watch watch) {
    return watch.next;
  }

  /** The caller no longer waits on {@code watch} (or on the watch that has taken its place). */
  void release(String instanceId, Watch watch) {
    Watch current = watch;
    while (current.next != null) {
      current = current.next;
    }
    Watch last = current;
    watches.computeIfPresent(instanceId, (id, w) -> w == last && --w.waiters == 0 ? null : w);
  }

  int watchedInstances() {
    return watches.size();
  }

  /** A change to {@code instanceId}; null: any instance may have changed, every waiter reads. */
  @Override
  public void changed(String instanceId, OrchestrationStatus status) {
    heard(instanceId, new Heard(true, status, null));
  }

  @Override
  public void changed(InstanceRecord row) {
    heard(row.instanceId(), new Heard(true, row.status(), row));
  }

  private void heard(String instanceId, Heard heard) {
    if (instanceId == null) {
      watches.keySet().forEach(id -> heard(id, new Heard(true, null, null)));
      return;
    }
    Watch[] completed = new Watch[1];
    watches.computeIfPresent(
        instanceId,
        (id, w) -> {
          Watch next = new Watch();
          next.waiters = w.waiters; // each waiter moves on to it
          w.next = next;
          completed[0] = w;
          return next;
        });
    if (completed[0] != null) {
      completed[0].change.complete(heard);
    }
  }

  /** Waits up to {@code maxMillis} for a change to {@code watch}'s instance. */
  static Heard await(Watch watch, long maxMillis) throws InterruptedException {
    try {
      return watch.change.get(Math.max(1, maxMillis), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return Heard.NOTHING; // time to look again
    }
  }
}
