package dev.fermata.postgres;

/**
 * Wakes this worker's threads waiting for work: bumped after this worker's own commits and when a
 * notification from another worker arrives. A waiter remembers the count it saw before looking in
 * the database, so a signal that lands between its look and its wait is never lost.
 */
final class Signals {
  private long orchestrations;
  private long activities;
  private boolean closed;

  synchronized long orchestrationCount() {
    return orchestrations;
  }

  synchronized long activityCount() {
    return activities;
  }

  synchronized void orchestrationWork() {
    orchestrations++;
    notifyAll();
  }

  synchronized void activityWork() {
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
