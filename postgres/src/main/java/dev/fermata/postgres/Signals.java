package dev.fermata.postgres;

/**
 * Wakes this worker's threads waiting for work: bumped after this worker's own commits and when a
 * notification from another worker arrives. A waiter remembers the count it saw before looking in
 * the database, so a signal that lands between its look and its wait is never lost.
 *
 * <p>Work this worker holds in memory (see {@link LocalSteps}) wakes waiters too, without the
 * shared-work counts: those tell a waiter whether looking in the database may find something new.
 */
final class Signals {
  private long orchestrations;
  private long activities;
  private long sharedOrchestrations;
  private long sharedActivities;
  private boolean closed;

  synchronized long orchestrationCount() {
    return orchestrations;
  }

  synchronized long activityCount() {
    return activities;
  }

  /** Signals since start of shared orchestration work (in the database). */
  synchronized long sharedOrchestrationCount() {
    return sharedOrchestrations;
  }

  /** Signals since start of shared activity work (in the database). */
  synchronized long sharedActivityCount() {
    return sharedActivities;
  }

  /** Orchestration work in the database (committed here, or notified by another worker). */
  synchronized void orchestrationWork() {
    sharedOrchestrations++;
    orchestrations++;
    notifyAll();
  }

  /** Activity work in the database (committed here, or notified by another worker). */
  synchronized void activityWork() {
    sharedActivities++;
    activities++;
    notifyAll();
  }

  /** Orchestration work this worker holds in memory. */
  synchronized void localOrchestrationWork() {
    orchestrations++;
    notifyAll();
  }

  /** Activity work this worker holds in memory. */
  synchronized void localActivityWork() {
    activities++;
    notifyAll();
  }

  synchronized void close() {
    closed = true;
    notifyAll();
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** Waits up to {@code millis} for orchestration work signalled after {@code seen}. */
  synchronized void awaitOrchestrationWork(long seen, long millis) throws InterruptedException {
    await(() -> orchestrations != seen, millis);
  }

  /** Waits up to {@code millis} for activity work signalled after {@code seen}. */
  synchronized void awaitActivityWork(long seen, long millis) throws InterruptedException {
    await(() -> activities != seen, millis);
  }

  private void await(java.util.function.BooleanSupplier signalled, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (!closed && !signalled.getAsBoolean()) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return;
      }
      wait(left);
    }
  }
}
