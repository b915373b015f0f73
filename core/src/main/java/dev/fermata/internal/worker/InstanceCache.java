package dev.fermata.internal.worker;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Live orchestrations parked between episodes, so that a new event costs one resume rather than a
 * replay (and, for an instance a remote worker runs, its history, so that it costs no read).
 * Bounded, least recently used out first, and runners idle for longer than the idle timeout leave
 * too (a sweeper checks a few times per timeout), so instances that wait for hours cost no memory.
 * An evicted runner's thread is unwound so its memory is really freed. A runner is taken out while
 * an episode uses it, so no two episodes share one.
 *
 * <p>A runner is parked before its episode's checkpoint commits (the commit unlocks the instance,
 * and the next episode should find the runner here), so it is reused only once that checkpoint is
 * known to be durable. A refused or failed checkpoint leaves the runner ahead of the stored
 * history, and the store's fence (the checkpoint must start where the stored history ends) cannot
 * catch it when another worker has meanwhile stored an episode of the same length: the instance
 * would go on from a state the history does not have, and may wait forever for an event it has been
 * given.
 */
final class InstanceCache {
  private final int capacity;
  private final long idleTimeoutMillis;
  private final InstantSource clock;
  // Access order: the eldest entry is the one parked longest ago, so sweeps stop at the first
  // young one.
  private final LinkedHashMap<String, Parked> runners;
  // The ticket of each instance's latest checkout, while its episode runs.
  private final Map<String, Long> checkouts = new HashMap<>();
  private long lastTicket;

  private final Thread sweeper;

  /** {@code durable}: true once the runner's checkpoint committed, false if it may not have. */
  private record Parked(
      CachedInstance runner, long parkedAtMillis, CompletableFuture<Boolean> durable) {}

  /**
   * @param clock the engine's clock, by which runners idle too long leave: a virtual clock that
   *     skips a month empties the cache, as a month would
   */
  InstanceCache(int capacity, Duration idleTimeout, InstantSource clock) {
    this.capacity = capacity;
    this.idleTimeoutMillis = idleTimeout.toMillis();
    this.clock = clock;
    this.runners =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Parked> eldest) {
            if (size() > InstanceCache.this.capacity) {
              eldest.getValue().runner().discard();
              return true;
            }
            return false;
          }
        };
    this.sweeper =
        capacity == 0
            ? null
            : Thread.ofVirtual().name("fermata-cache-sweeper").start(() -> sweep(idleTimeout));
  }

  private void sweep(Duration idleTimeout) {
    // At least once a second, so that a clock that jumps (a test's virtual one) is seen soon.
    long periodMillis = Math.clamp(idleTimeout.toMillis() / 4, 10, 1000);
    try {
      while (true) {
        Thread.sleep(periodMillis);
        evictIdle(clock.millis());
      }
    } catch (InterruptedException e) {
      // the cache is closing
    }
  }

  /** Discards the runners parked for longer than the idle timeout. */
  void evictIdle(long nowMillis) {
    List<CachedInstance> idle = new ArrayList<>();
    synchronized (this) {
      var it = runners.values().iterator();
      while (it.hasNext()) {
        Parked p = it.next();
        if (nowMillis - p.parkedAtMillis() < idleTimeoutMillis) {
          break;
        }
        it.remove();
        idle.add(p.runner());
      }
    }
    idle.forEach(CachedInstance::discard);
  }

  /**
   * An instance's runner taken out for one episode (null if none was cached), with the ticket that
   * tells whether the episode is still the instance's latest when it ends.
   */
  record Checkout(CachedInstance runner, long ticket) {}

  /**
   * Removes and returns the runner of {@code instanceId}, if cached, for an episode. If the
   * checkpoint of the episode that parked it is still being written, waits for its outcome: a
   * runner whose checkpoint did not (or may not) commit is discarded, and the episode replays.
   */
  Checkout take(String instanceId) {
    long ticket;
    Parked parked;
    synchronized (this) {
      ticket = ++lastTicket;
      checkouts.put(instanceId, ticket);
      parked = runners.remove(instanceId);
    }
    if (parked == null) {
      return new Checkout(null, ticket);
    }
    if (!parked.durable().join()) {
      parked.runner().discard();
      return new Checkout(null, ticket);
    }
    return new Checkout(parked.runner(), ticket);
  }

  /**
   * Ends an episode's checkout: parks {@code runner} (null for none) for the next episode, or
   * discards it if caching is off or another episode of the instance has been taken out since (this
   * runner would then be behind the history that episode writes). {@code durable} must be completed
   * once the episode's checkpoint has committed (true) or failed (false), whatever happens.
   */
  synchronized void putBack(
      String instanceId,
      Checkout checkout,
      CachedInstance runner,
      CompletableFuture<Boolean> durable) {
    boolean latest = checkouts.remove(instanceId, checkout.ticket());
    if (runner == null) {
      return;
    }
    if (!latest || capacity == 0) {
      runner.discard();
      return;
    }
    Parked previous = runners.put(instanceId, new Parked(runner, clock.millis(), durable));
    if (previous != null && previous.runner() != runner) {
      previous.runner().discard();
    }
  }

  /**
   * Discards {@code runner} if it is still the one parked for the instance (its checkpoint failed,
   * so it is ahead of the stored history). One that a later episode took is that episode's to
   * handle: its own checkpoint will be refused.
   */
  synchronized void evict(String instanceId, CachedInstance runner) {
    Parked parked = runners.get(instanceId);
    if (runner != null && parked != null && parked.runner() == runner) {
      runners.remove(instanceId);
      runner.discard();
    }
  }

  synchronized int size() {
    return runners.size();
  }

  /** Discards every runner (at shutdown); episodes still running will discard theirs. */
  void clear() {
    if (sweeper != null) {
      sweeper.interrupt();
    }
    List<CachedInstance> all = new ArrayList<>();
    synchronized (this) {
      runners.values().forEach(p -> all.add(p.runner()));
      runners.clear();
      checkouts.clear();
    }
    all.forEach(CachedInstance::discard);
  }
}
