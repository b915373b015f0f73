package dev.fermata.internal.worker;

import dev.fermata.internal.replay.OrchestrationRunner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Live orchestrations parked between episodes, so that a new event costs one resume rather than a
 * replay. Bounded, least recently used out first; an evicted runner's thread is unwound so its
 * memory is really freed. A runner is taken out while an episode uses it, so no two episodes share
 * one.
 */
final class InstanceCache {
  private final int capacity;
  private final LinkedHashMap<String, OrchestrationRunner> runners;
  // The ticket of each instance's latest checkout, while its episode runs.
  private final Map<String, Long> checkouts = new HashMap<>();
  private long lastTicket;

  InstanceCache(int capacity) {
    this.capacity = capacity;
    this.runners =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, OrchestrationRunner> eldest) {
            if (size() > InstanceCache.this.capacity) {
              eldest.getValue().discard();
              return true;
            }
            return false;
          }
        };
  }

  /**
   * An instance's runner taken out for one episode (null if none was cached), with the ticket that
   * tells whether the episode is still the instance's latest when it ends.
   */
  record Checkout(OrchestrationRunner runner, long ticket) {}

  /** Removes and returns the runner of {@code instanceId}, if cached, for an episode. */
  synchronized Checkout take(String instanceId) {
    long ticket = ++lastTicket;
    checkouts.put(instanceId, ticket);
    return new Checkout(runners.remove(instanceId), ticket);
  }

  /**
   * Ends an episode's checkout: parks {@code runner} (null for none) for the next episode, or
   * discards it if caching is off or another episode of the instance has been taken out since (this
   * runner would then be behind the history that episode writes).
   */
  synchronized void putBack(String instanceId, Checkout checkout, OrchestrationRunner runner) {
    boolean latest = checkouts.remove(instanceId, checkout.ticket());
    if (runner == null) {
      return;
    }
    if (!latest || capacity == 0) {
      runner.discard();
      return;
    }
    OrchestrationRunner previous = runners.put(instanceId, runner);
    if (previous != null && previous != runner) {
      previous.discard();
    }
  }

  /**
   * Discards {@code runner} if it is still the one parked for the instance (its checkpoint failed,
   * so it is ahead of the stored history). One that a later episode took is that episode's to
   * handle: its own checkpoint will be refused.
   */
  synchronized void evict(String instanceId, OrchestrationRunner runner) {
    if (runner != null && runners.get(instanceId) == runner) {
      runners.remove(instanceId);
      runner.discard();
    }
  }

  synchronized int size() {
    return runners.size();
  }

  /** Discards every runner (at shutdown); episodes still running will discard theirs. */
  void clear() {
    List<OrchestrationRunner> all;
    synchronized (this) {
      all = new ArrayList<>(runners.values());
      runners.clear();
      checkouts.clear();
    }
    all.forEach(OrchestrationRunner::discard);
  }
}
