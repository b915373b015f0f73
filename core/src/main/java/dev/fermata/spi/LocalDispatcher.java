package dev.fermata.spi;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * In-process dispatch for stores used by one process (in-memory, SQLite): which instances have
 * visible work, which are locked, when the next durable timer is due, and which activity tasks wait
 * to run. Waiters are woken the moment work is signalled or a timer falls due, so there is no
 * polling interval. The store signals after its commits; the dispatcher never touches storage.
 *
 * @param <A> the store's handle for an activity task
 */
public final class LocalDispatcher<A> {
  /** An instance lock: the fencing token a checkpoint must present. */
  public record Lease(String instanceId, long token) {}

  private record Due(Instant at, String instanceId) {}

  private final InstantSource clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition orchestrationWork = lock.newCondition();
  private final Condition activityWork = lock.newCondition();
  private final LinkedHashSet<String> ready = new LinkedHashSet<>();
  private final Map<String, Long> locked = new HashMap<>();
  private final Set<String> signalledWhileLocked = new HashSet<>();
  private final PriorityQueue<Due> timers = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));
  private final ArrayDeque<A> activities = new ArrayDeque<>();
  // Random start: a token from before a store restart in the same process never matches a new lock.
  private long nextToken = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2);
  private boolean closed;

  public LocalDispatcher(InstantSource clock) {
    this.clock = clock;
  }

  /** The instance has a message visible at {@code visibleAt} (null: now). */
  public void signalInstance(String instanceId, Instant visibleAt) {
    lock.lock();
    try {
      if (visibleAt != null && visibleAt.isAfter(clock.instant())) {
        Due head = timers.peek();
        timers.add(new Due(visibleAt, instanceId));
        if (head == null || visibleAt.isBefore(head.at())) {
          orchestrationWork.signalAll(); // a waiter may need to wake earlier now
        }
      } else {
        markReady(instanceId);
      }
    } finally {
      lock.unlock();
    }
  }

  private void markReady(String instanceId) {
    if (locked.containsKey(instanceId)) {
      signalledWhileLocked.add(instanceId);
    } else if (ready.add(instanceId)) {
      orchestrationWork.signal();
    }
  }

  /** Locks the next ready instance, waiting up to {@code maxWait}; empty on timeout or close. */
  public Optional<Lease> takeInstance(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    lock.lock();
    try {
      while (!closed) {
        releaseDueTimers();
        Iterator<String> it = ready.iterator();
        if (it.hasNext()) {
          String id = it.next();
          it.remove();
          long token = nextToken++;
          locked.put(id, token);
          return Optional.of(new Lease(id, token));
        }
        long wait = deadline - System.nanoTime();
        if (wait <= 0) {
          return Optional.empty();
        }
        Due head = timers.peek();
        if (head != null) {
          long untilDue = Duration.between(clock.instant(), head.at()).toNanos();
          wait = Math.min(wait, Math.max(untilDue, 0));
        }
        if (wait > 0) {
          orchestrationWork.awaitNanos(wait);
        }
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  private void releaseDueTimers() {
    Instant now = clock.instant();
    while (!timers.isEmpty() && !timers.peek().at().isAfter(now)) {
      markReady(timers.poll().instanceId());
    }
  }

  /** True while {@code token} is the instance's current lock. */
  public boolean holds(String instanceId, long token) {
    lock.lock();
    try {
      Long current = locked.get(instanceId);
      return current != null && current == token;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Unlocks an instance. If work was signalled while it was locked, or {@code moreWork} says so, it
   * is ready again (after {@code delay}, when not null).
   */
  public void release(String instanceId, long token, boolean moreWork, Duration delay) {
    lock.lock();
    try {
      Long current = locked.get(instanceId);
      if (current == null || current != token) {
        return;
      }
      locked.remove(instanceId);
      boolean again = signalledWhileLocked.remove(instanceId) || moreWork;
      if (again) {
        if (delay != null && !delay.isZero()) {
          timers.add(new Due(clock.instant().plus(delay), instanceId));
          orchestrationWork.signalAll();
        } else {
          markReady(instanceId);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** An activity task is ready to run. */
  public void signalActivity(A task) {
    lock.lock();
    try {
      activities.add(task);
      activityWork.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Forgets queued activity tasks that {@code gone} selects (their rows were deleted). */
  public void removeActivities(Predicate<A> gone) {
    lock.lock();
    try {
      activities.removeIf(gone);
    } finally {
      lock.unlock();
    }
  }

  /** Takes the next activity task, waiting up to {@code maxWait}; empty on timeout or close. */
  public Optional<A> takeActivity(Duration maxWait) throws InterruptedException {
    long wait = maxWait.toNanos();
    lock.lock();
    try {
      while (!closed) {
        A task = activities.poll();
        if (task != null) {
          return Optional.of(task);
        }
        if (wait <= 0) {
          return Optional.empty();
        }
        wait = activityWork.awaitNanos(wait);
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiter so that it re-reads the clock (a test clock that jumped ahead). */
  public void wakeAll() {
    lock.lock();
    try {
      orchestrationWork.signalAll();
      activityWork.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Ends dispatch: every waiter returns empty. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      orchestrationWork.signalAll();
      activityWork.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * What dispatch holds at one moment, for a test kit that moves a virtual clock: whether work can
   * be taken or is out (ready, locked or queued), and when the earliest timer falls due.
   *
   * @param busy true if an instance is ready or locked, an activity task is queued, or a timer is
   *     due already
   * @param nextDue the earliest timer not yet due, or null if there is none (or {@code busy})
   */
  public record Backlog(boolean busy, Instant nextDue) {}

  public Backlog backlog() {
    lock.lock();
    try {
      Due head = timers.peek();
      boolean dueNow = head != null && !head.at().isAfter(clock.instant());
      if (!ready.isEmpty() || !locked.isEmpty() || !activities.isEmpty() || dueNow) {
        return new Backlog(true, null);
      }
      return new Backlog(false, head == null ? null : head.at());
    } finally {
      lock.unlock();
    }
  }

  /** Timers scheduled but not yet due (for tests and metrics). */
  public int pendingTimerCount() {
    lock.lock();
    try {
      return timers.size();
    } finally {
      lock.unlock();
    }
  }
}
