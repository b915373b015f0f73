package dev.fermata.internal.worker;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loop that takes work items from the store and handles each on its own virtual thread, with at
 * most as many in flight as the semaphore has permits. Stopping ends the loop, then waits for the
 * items in flight up to a grace period.
 */
abstract class DispatchLoop<T> {
  private static final Logger log = LoggerFactory.getLogger(DispatchLoop.class);

  private final String name;
  private final Semaphore slots;
  private final int capacity;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean running;
  private Thread loop;

  DispatchLoop(String name, Semaphore slots) {
    this.name = name;
    this.slots = slots;
    this.capacity = slots.availablePermits();
  }

  protected abstract Optional<T> next(Duration maxWait) throws InterruptedException;

  protected abstract void handle(T item);

  /** Called once the loop has stopped and the grace period is over. */
  protected void afterStop() {}

  /** Called for each item still in flight when the grace period runs out. */
  protected void abandonInFlight() {}

  public synchronized void start() {
    running = true;
    loop = Thread.ofPlatform().name(name).daemon(true).start(this::run);
  }

  private void run() {
    while (running) {
      try {
        slots.acquire();
        Optional<T> item;
        try {
          item = next(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
          slots.release();
          break;
        } catch (RuntimeException e) {
          slots.release();
          log.error("{}: could not fetch work; retrying in 1 s", name, e);
          Thread.sleep(1000);
          continue;
        }
        if (item.isEmpty()) {
          slots.release();
          continue;
        }
        inFlight.incrementAndGet();
        Thread.ofVirtual()
            .name(name + "-item")
            .start(
                () -> {
                  try {
                    handle(item.get());
                  } catch (Throwable t) {
                    log.error("{}: unexpected error", name, t);
                  } finally {
                    inFlight.decrementAndGet();
                    slots.release();
                  }
                });
      } catch (InterruptedException e) {
        break;
      }
    }
  }

  /**
   * Stops taking work and waits up to {@code grace} for the items in flight.
   *
   * @return true if all finished in time
   */
  public boolean stop(Duration grace) {
    Thread t;
    synchronized (this) {
      running = false;
      t = loop;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    boolean drained;
    try {
      drained = slots.tryAcquire(capacity, grace.toMillis(), TimeUnit.MILLISECONDS);
      if (drained) {
        slots.release(capacity);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    if (!drained) {
      log.warn("{}: {} item(s) still running after the grace period", name, inFlight.get());
      abandonInFlight();
    }
    afterStop();
    return drained;
  }

  /** Items being handled right now. */
  public int inFlight() {
    return inFlight.get();
  }
}
