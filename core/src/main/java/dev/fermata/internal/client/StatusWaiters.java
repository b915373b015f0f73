package dev.fermata.internal.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Wakes clients waiting on an instance as soon as the store reports a change to it. Waiters also
 * re-check on a short period, in case the change happened in another process.
 *
 * <p>Watches are counted and removed when their last waiter leaves, so an instance that is waited
 * on once and then never changes (a million instances waiting for events) leaves nothing behind.
 */
final class StatusWaiters {
  /** One instance's next change, shared by everyone waiting on it. */
  static final class Watch {
    private final CompletableFuture<Void> change = new CompletableFuture<>();
    private int waiters; // guarded by the map's compute for the instance id
  }

  private final ConcurrentHashMap<String, Watch> watches = new ConcurrentHashMap<>();

  /**
   * Call before checking the status, then wait on the result if the check was not satisfied, and
   * {@link #release} it in any case.
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

  /** The caller no longer waits on {@code watch}. */
  void release(String instanceId, Watch watch) {
    watches.computeIfPresent(
        instanceId, (id, current) -> current == watch && --current.waiters == 0 ? null : current);
  }

  int watchedInstances() {
    return watches.size();
  }

  void changed(String instanceId) {
    Watch w = watches.remove(instanceId);
    if (w != null) {
      w.change.complete(null);
    }
  }

  static void await(Watch watch, long maxMillis) throws InterruptedException {
    try {
      watch.change.get(Math.max(1, maxMillis), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // time to look again
    }
  }
}
