package dev.fermata.internal.worker;

import dev.fermata.spi.StoreFailureLog;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loop that takes work items from the store and handles each on its own virtual thread, with at
 * most as many being worked on as the semaphore has permits. An item may give its permit back
 * early, once only waiting for its write to become durable is left ({@link Slot#release}): slots
 * bound the work, not the commits, so that more writes can share each commit. A backlog bound of
 * {@value #BACKLOG_FACTOR} times the slots caps the items waiting for commits, so a writer that
 * falls behind slows the loop down instead of queueing without limit. Stopping ends the loop, then
 * waits for the items in flight, commits included, up to a grace period.
 */
abstract class DispatchLoop<T> {
  private static final Logger log = LoggerFactory.getLogger(DispatchLoop.class);

  private final String name;
  private final StoreFailureLog fetchFailures = new StoreFailureLog(log);

  /** How many items may be in flight, waiting for commits included, per slot. */
  static final int BACKLOG_FACTOR = 16;

  private final Semaphore slots;
  private final Semaphore backlog;
  private final int capacity;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean running;
  private Thread loop;

  DispatchLoop(String name, Semaphore slots) {
    this.name = name;
    this.slots = slots;
    this.capacity = slots.availablePermits();
    this.backlog = new Semaphore(capacity * BACKLOG_FACTOR);
  }

  protected abstract Optional<T> next(Duration maxWait) throws InterruptedException;

  /**
   * Handles one item; {@code slot} is released when this returns, or earlier if the handler
   * releases it.
   */
  protected abstract void handle(T item, Slot slot);

  /** The permit an item holds; released once, whoever releases it first. */
  static final class Slot {
    private final Semaphore slots;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(Semaphore slots) {
      this.slots = slots;
    }

    /** Gives the permit back (the item's remaining work is waiting, not computing). */
    void release() {
      if (released.compareAndSet(false, true)) {
        slots.release();
      }
    }
  }

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
        backlog.acquire();
        try {
          slots.acquire();
        } catch (InterruptedException e) {
          backlog.release();
          break;
        }
        Optional<T> item;
        try {
          item = next(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
          slots.release();
          backlog.release();
          break;
        } catch (RuntimeException e) {
          slots.release();
          backlog.release();
          var storage = StoreFailureLog.cause(e);
          if (storage.isPresent()) {
            fetchFailures.warn(
                name + ": could not fetch work; retrying every second", storage.get());
          } else {
            log.error("{}: could not fetch work; retrying in 1 s", name, e);
          }
          Thread.sleep(1000);
          continue;
        }
        if (item.isEmpty()) {
          slots.release();
          backlog.release();
          continue;
        }
        inFlight.incrementAndGet();
        Slot slot = new Slot(slots);
        Thread.ofVirtual()
            .name(name + "-item")
            .start(
                () -> {
                  try {
                    handle(item.get(), slot);
                  } catch (Throwable t) {
                    log.error("{}: unexpected error", name, t);
                  } finally {
                    inFlight.decrementAndGet();
                    slot.release();
                    backlog.release();
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
    int all = capacity * BACKLOG_FACTOR;
    try {
      drained = backlog.tryAcquire(all, grace.toMillis(), TimeUnit.MILLISECONDS);
      if (drained) {
        backlog.release(all);
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
