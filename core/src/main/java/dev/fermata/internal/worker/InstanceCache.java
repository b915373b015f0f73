package dev.fermata.internal.worker;

import dev.fermata.internal.replay.OrchestrationRunner;
import java.util.ArrayList;
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

  /** Removes and returns the runner of {@code instanceId}, if cached. */
  synchronized OrchestrationRunner take(String instanceId) {
    return runners.remove(instanceId);
  }

  /** Parks a runner for the next episode (or discards it at once if caching is off). */
  synchronized void put(String instanceId, OrchestrationRunner runner) {
    if (capacity == 0) {
      runner.discard();
      return;
    }
    OrchestrationRunner previous = runners.put(instanceId, runner);
    if (previous != null && previous != runner) {
      previous.discard();
    }
  }

  synchronized int size() {
    return runners.size();
  }

  /** Discards every runner (at shutdown). */
  void clear() {
    List<OrchestrationRunner> all;
    synchronized (this) {
      all = new ArrayList<>(runners.values());
      runners.clear();
    }
    all.forEach(OrchestrationRunner::discard);
  }
}
