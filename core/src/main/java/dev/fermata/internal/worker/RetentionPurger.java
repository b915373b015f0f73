package dev.fermata.internal.worker;

import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InstanceFilter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges finished instances (Completed, Failed, Terminated) last updated more than the retention
 * age ago, in the background: a pass when the engine starts, then one a minute. A pass purges at
 * most {@value #MAX_PER_PASS} instances through the store's bulk purge, so the store's purge rules
 * apply and a pass never holds the store for long; after a full pass the next one comes sooner, to
 * work through a backlog. Several engines sharing a store may all run passes: the store skips or
 * counts once an instance two of them purge at the same time.
 */
public final class RetentionPurger {
  private static final Logger log = LoggerFactory.getLogger(RetentionPurger.class);

  static final int MAX_PER_PASS = 500;
  private static final Duration PASS_INTERVAL = Duration.ofMinutes(1);
  private static final Duration NEXT_PASS_AFTER_A_FULL_ONE = Duration.ofSeconds(1);
  private static final Set<OrchestrationStatus> FINISHED =
      EnumSet.of(
          OrchestrationStatus.COMPLETED,
          OrchestrationStatus.FAILED,
          OrchestrationStatus.TERMINATED);

  private final DurableStore store;
  private final Duration retention;
  private final InstantSource clock;
  private final Object wakeUp = new Object();
  private boolean stopping; // guarded by wakeUp
  private Thread thread;

  public RetentionPurger(DurableStore store, Duration retention, InstantSource clock) {
    this.store = store;
    this.retention = retention;
    this.clock = clock;
  }

  public synchronized void start() {
    if (thread == null) {
      thread = Thread.ofPlatform().name("fermata-retention").daemon().start(this::run);
    }
  }

  /** Stops the passes; a pass under way is finished first, so the store can be closed after. */
  public synchronized void stop() {
    if (thread == null) {
      return;
    }
    synchronized (wakeUp) {
      stopping = true;
      wakeUp.notifyAll();
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** One pass: purges up to {@value #MAX_PER_PASS} expired instances; returns how many. */
  int purgeExpired() {
    InstanceFilter expired =
        new InstanceFilter(FINISHED, null, null, null, null, clock.instant().minus(retention));
    return store.purgeInstances(expired, MAX_PER_PASS);
  }

  private void run() {
    while (true) {
      Duration pause = PASS_INTERVAL;
      try {
        int purged = purgeExpired();
        if (purged > 0) {
          log.info("Retention: purged {} instance(s) finished more than {} ago", purged, retention);
        }
        if (purged == MAX_PER_PASS) {
          pause = NEXT_PASS_AFTER_A_FULL_ONE;
        }
      } catch (RuntimeException e) {
        log.warn("Retention: a purge pass failed; the next one will try again", e);
      }
      synchronized (wakeUp) {
        try {
          if (!stopping) {
            wakeUp.wait(pause.toMillis());
          }
        } catch (InterruptedException e) {
          return;
        }
        if (stopping) {
          return;
        }
      }
    }
  }
}
