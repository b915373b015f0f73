package dev.fermata.internal.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Wakes clients waiting on an instance as soon as the store reports a change to it. Waiters also
 * re-check on a short period, in case the change happened in another process.
 */
final class StatusWaiters {
  private final ConcurrentHashMap<String, CompletableFuture<Void>> changes =
      new ConcurrentHashMap<>();

  /** Call before checking the status, then wait on the result if the check was not satisfied. */
  CompletableFuture<Void> watch(String instanceId) {
    return changes.computeIfAbsent(instanceId, id -> new CompletableFuture<>());
  }

  void changed(String instanceId) {
    CompletableFuture<Void> f = changes.remove(instanceId);
    if (f != null) {
      f.complete(null);
    }
  }

  static void await(CompletableFuture<Void> change, long maxMillis) throws InterruptedException {
    try {
      change.get(Math.max(1, maxMillis), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // time to look again
    }
  }
}
