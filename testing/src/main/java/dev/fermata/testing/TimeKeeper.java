package dev.fermata.testing;

import dev.fermata.spi.LocalDispatcher;
import dev.fermata.spi.VirtualTimeDispatch;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.function.Supplier;

/**
 * Moves a {@link VirtualClock} only when the engine has nothing to do now: every instance, message
 * and activity task has been dealt with, and what remains waits for a time. The store answers that
 * in one consistent look ({@link VirtualTimeDispatch#dispatchBacklog}), so time never jumps past a
 * running activity or an episode in flight.
 */
final class TimeKeeper {
  /** How long one wait for a write lasts before the backlog is looked at again. */
  private static final Duration LOOK_AGAIN = Duration.ofMillis(10);

  private record Scheduled(Instant at, long order, Runnable action) {}

  private final VirtualTimeDispatch store;
  private final VirtualClock clock;
  private final Duration wallLimit;
  private final PriorityQueue<Scheduled> scheduled =
      new PriorityQueue<>(
          (a, b) ->
              a.at().equals(b.at())
                  ? Long.compare(a.order(), b.order())
                  : a.at().compareTo(b.at()));
  private long order;

  TimeKeeper(VirtualTimeDispatch store, VirtualClock clock, Duration wallLimit) {
    this.store = store;
    this.clock = clock;
    this.wallLimit = wallLimit;
  }

  /** Runs {@code action} once the virtual time reaches {@code at} (at once if it has). */
  synchronized void schedule(Instant at, Runnable action) {
    if (at.isAfter(clock.instant())) {
      scheduled.add(new Scheduled(at, order++, action));
    } else {
      action.run();
    }
  }

  /** A deadline in real time, {@code wallLimit} from now. */
  long deadline() {
    return System.nanoTime() + wallLimit.toNanos();
  }

  /**
   * Waits until the engine has nothing to do now.
   *
   * @param waitingFor what the caller waits for, for the message if the wall limit is reached
   */
  void settle(long deadline, Supplier<String> waitingFor) {
    while (true) {
      long seen = store.writeCount();
      if (!store.dispatchBacklog().busy()) {
        return;
      }
      awaitWrite(seen, deadline, waitingFor);
    }
  }

  /**
   * One step: if the engine is busy, waits a little for it; otherwise moves the clock to the next
   * moment something is due.
   *
   * @return false if the engine is idle and nothing is due: only something from outside (an event,
   *     a signal) can move it on
   */
  boolean step(long deadline, Supplier<String> waitingFor) {
    long seen = store.writeCount();
    LocalDispatcher.Backlog backlog = store.dispatchBacklog();
    if (backlog.busy()) {
      awaitWrite(seen, deadline, waitingFor);
      return true;
    }
    Instant next = nextDue(backlog.nextDue());
    if (next == null) {
      return false;
    }
    moveTo(next);
    return true;
  }

  /**
   * Moves the clock by {@code duration}, running everything that falls due on the way, in order.
   */
  void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time only moves forward; got " + duration);
    }
    Instant target = clock.instant().plus(duration);
    long deadline = deadline();
    Supplier<String> what = () -> "advancing the virtual time to " + target;
    while (true) {
      settle(deadline, what);
      Instant next = nextDue(store.dispatchBacklog().nextDue());
      if (next == null || next.isAfter(target)) {
        break;
      }
      moveTo(next);
    }
    moveTo(target);
    settle(deadline, what);
  }

  private Instant nextDue(Instant timer) {
    Instant action;
    synchronized (this) {
      action = scheduled.isEmpty() ? null : scheduled.peek().at();
    }
    if (timer == null) {
      return action;
    }
    return action == null || timer.isBefore(action) ? timer : action;
  }

  private void moveTo(Instant time) {
    clock.moveTo(time);
    while (true) {
      Scheduled due;
      synchronized (this) {
        due = scheduled.peek();
        if (due == null || due.at().isAfter(clock.instant())) {
          break;
        }
        scheduled.poll();
      }
      due.action().run();
    }
    store.clockMoved();
  }

  private void awaitWrite(long seen, long deadline, Supplier<String> waitingFor) {
    if (System.nanoTime() - deadline > 0) {
      throw new IllegalStateException(
          "Gave up "
              + waitingFor.get()
              + " after "
              + wallLimit.toSeconds()
              + " s of real time: the engine was still busy (an activity or an orchestration"
              + " that does not finish?); virtual time is "
              + clock.instant());
    }
    try {
      store.awaitWrite(seen, LOOK_AGAIN);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted " + waitingFor.get(), e);
    }
  }
}
