package dev.fermata.sqlite;

import dev.fermata.spi.StoreClosedException;
import dev.fermata.spi.StoreUnavailableException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes, with group commit: it drains every queued operation (up to {@link
 * #MAX_BATCH}), runs them in one transaction with a savepoint each, and commits once, so one fsync
 * makes the whole batch durable. An operation that fails rolls back to its savepoint and fails only
 * its own future. After the commit, each successful operation's post-commit actions run (dispatcher
 * signals, listeners), then the futures complete, on this thread.
 */
final class GroupCommitWriter implements AutoCloseable {
  static final int MAX_BATCH = 512;

  /** How long deferrable writes wait for company before committing alone. */
  static final long DEFERRABLE_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

  /** One write, run inside the batch transaction on the writer's connection. */
  @FunctionalInterface
  interface Operation<T> {
    T run(SqlConnection db, WriteContext context) throws SQLException;
  }

  /** What an operation may ask of its batch. */
  interface WriteContext {
    /** Runs {@code action} once the batch is committed, if this operation succeeded. */
    void afterCommit(Runnable action);

    /** Notes that this operation unlocks the instance when the batch commits. */
    void unlocking(String instanceId);

    /**
     * True if an earlier operation of this batch unlocks the instance: its lock token, still
     * current in the dispatcher until the commit, is already spent.
     */
    boolean unlockedInBatch(String instanceId);
  }

  private static final class Pending<T> implements WriteContext {
    final Operation<T> operation;
    final CompletableFuture<T> future = new CompletableFuture<>();
    final List<Runnable> afterCommit = new ArrayList<>();
    final Set<String> unlocking = new HashSet<>();
    Set<String> batchUnlocked;
    T result;
    Throwable failure;

    final boolean deferrable;

    Pending(Operation<T> operation, boolean deferrable) {
      this.operation = operation;
      this.deferrable = deferrable;
    }

    void run(SqlConnection db) throws SQLException {
      result = operation.run(db, this);
    }

    void complete() {
      if (failure == null) {
        future.complete(result);
      } else {
        future.completeExceptionally(failure);
      }
    }

    @Override
    public void afterCommit(Runnable action) {
      afterCommit.add(action);
    }

    @Override
    public void unlocking(String instanceId) {
      unlocking.add(instanceId);
    }

    @Override
    public boolean unlockedInBatch(String instanceId) {
      return batchUnlocked.contains(instanceId);
    }
  }

  private static final Pending<Void> STOP = new Pending<>((db, context) -> null, false);

  private final SqlConnection db;
  private final LinkedBlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
  private final AtomicLong commits = new AtomicLong();
  // Writes queued and not yet finished, and batches finished (after-commit actions run): what a
  // test kit watches to know the store is at rest.
  private final Object settling = new Object();
  private long outstanding; // guarded by settling
  private long settled; // guarded by settling
  private final Thread thread;
  private final IntConsumer committed;
  private boolean closed; // guarded by this
  private boolean sqlFailed; // writer thread only: a statement failed in the current batch

  GroupCommitWriter(SqlConnection db) {
    this(db, size -> {});
  }

  /**
   * @param committed told the number of writes in each batch that commits (for a meter)
   */
  GroupCommitWriter(SqlConnection db, IntConsumer committed) {
    this.db = db;
    this.committed = committed;
    this.thread = Thread.ofPlatform().name("fermata-sqlite-writer").daemon().unstarted(this::loop);
    thread.start();
  }

  /** Queues a write; the future completes once it is committed, or fails with its error. */
  <T> CompletableFuture<T> submit(Operation<T> operation) {
    return enqueue(new Pending<>(operation, false));
  }

  /**
   * Queues a write that need not commit on its own: when nothing else is queued, the writer waits
   * up to {@link #DEFERRABLE_LINGER_NANOS} for another write to share the commit (and its fsync)
   * with. For bookkeeping that a checkpoint or result usually follows within a millisecond.
   */
  <T> CompletableFuture<T> submitDeferrable(Operation<T> operation) {
    return enqueue(new Pending<>(operation, true));
  }

  private <T> CompletableFuture<T> enqueue(Pending<T> pending) {
    synchronized (this) {
      if (closed) {
        pending.future.completeExceptionally(new StoreClosedException("the store is closed"));
        return pending.future;
      }
      synchronized (settling) {
        outstanding++;
      }
      queue.add(pending);
    }
    return pending.future;
  }

  /**
   * Queues a write and waits until it is committed; its failure is rethrown as it was raised.
   *
   * @throws IllegalStateException on the writer thread itself (from a listener, say), where waiting
   *     would deadlock
   */
  <T> T submitAndWait(Operation<T> operation) {
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException(
          "cannot wait for a write on the SQLite writer thread (listeners and callbacks run there)");
    }
    try {
      return submit(operation).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Transactions committed so far (each is one batch). */
  long commitCount() {
    return commits.get();
  }

  /** Writes queued or being written, not yet finished. */
  long outstandingCount() {
    synchronized (settling) {
      return outstanding;
    }
  }

  /** Batches finished so far, their after-commit actions run (or failed). */
  long settledCount() {
    synchronized (settling) {
      return settled;
    }
  }

  /**
   * Waits until a batch after the {@code seen}-th has finished, or {@code maxWait}.
   *
   * @return true if there was one
   */
  boolean awaitSettled(long seen, Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    synchronized (settling) {
      while (settled == seen) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(settling, left);
      }
      return true;
    }
  }

  private void settle(int writes) {
    synchronized (settling) {
      outstanding -= writes;
      settled++;
      settling.notifyAll();
    }
  }

  /** Writes queued and not yet picked up by the writer. */
  int queuedCount() {
    return queue.size();
  }

  /** Commits everything queued so far, stops the thread and closes the connection. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(STOP);
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true; // the pending writes must still be made durable
      }
    }
    db.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    List<Pending<?>> batch = new ArrayList<>(MAX_BATCH);
    boolean stopping = false;
    while (!stopping) {
      batch.clear();
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue; // only close() stops the writer
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      lingerForCompany(batch);
      stopping = batch.remove(STOP);
      if (!batch.isEmpty()) {
        try {
          runBatch(batch);
        } catch (Throwable t) { // keep the only writer alive whatever happens
          LOG.error("SQLite write batch failed", t);
          batch.forEach(p -> p.future.completeExceptionally(t));
        } finally {
          settle(batch.size());
        }
      }
    }
  }

  /** While the batch holds only deferrable writes, waits briefly for one that is not. */
  private void lingerForCompany(List<Pending<?>> batch) {
    long deadline = System.nanoTime() + DEFERRABLE_LINGER_NANOS;
    while (batch.size() < MAX_BATCH && batch.stream().allMatch(p -> p.deferrable)) {
      long left = deadline - System.nanoTime();
      Pending<?> next;
      try {
        next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
      } catch (InterruptedException e) {
        return; // commit what we have
      }
      if (next == null) {
        return;
      }
      batch.add(next);
      queue.drainTo(batch, MAX_BATCH - batch.size());
    }
  }

  private void runBatch(List<Pending<?>> batch) {
    try {
      applyBatch(batch);
    } finally {
      if (sqlFailed) {
        // The driver finalized the statements that failed; prepare everything again.
        db.dropStatements();
        sqlFailed = false;
      }
    }
  }

  private void applyBatch(List<Pending<?>> batch) {
    try {
      db.executePrepared("BEGIN IMMEDIATE");
    } catch (SQLException e) {
      failAll(batch, sqlFailure(e));
      return;
    }
    Set<String> batchUnlocked = new HashSet<>();
    for (Pending<?> pending : batch) {
      pending.batchUnlocked = batchUnlocked;
      try {
        db.executePrepared("SAVEPOINT op");
        pending.run(db);
        db.executePrepared("RELEASE op");
        batchUnlocked.addAll(pending.unlocking);
      } catch (SQLException | RuntimeException e) {
        pending.failure =
            e instanceof SQLException sql ? sqlFailure(sql) : noteSql((RuntimeException) e);
        pending.afterCommit.clear();
        try {
          db.executePrepared("ROLLBACK TO op");
          db.executePrepared("RELEASE op");
        } catch (SQLException broken) {
          // The transaction itself is gone: SQLite rolls it all back after some errors (a full
          // disk, an I/O error). Every operation fails, with the cause rather than the rollback's.
          rollbackQuietly();
          RuntimeException rollbackFailure = sqlFailure(broken);
          failAll(
              batch,
              pending.failure instanceof StoreUnavailableException storage
                  ? storage
                  : rollbackFailure);
          return;
        }
      }
    }
    try {
      db.executePrepared("COMMIT");
      commits.incrementAndGet();
      committed.accept(batch.size());
    } catch (SQLException e) {
      rollbackQuietly();
      failAll(batch, sqlFailure(e));
      return;
    }
    for (Pending<?> pending : batch) {
      for (Runnable action : pending.afterCommit) {
        try {
          action.run();
        } catch (RuntimeException e) {
          LOG.warn("post-commit action failed", e);
        }
      }
    }
    batch.forEach(Pending::complete);
  }

  private static void failAll(List<Pending<?>> batch, RuntimeException failure) {
    batch.forEach(p -> p.future.completeExceptionally(failure));
  }

  /** Notes that a statement failed, and makes its exception the one callers get. */
  private RuntimeException sqlFailure(SQLException e) {
    sqlFailed = true;
    return StorageErrors.ofWrite(e);
  }

  /** Notes whether an operation's exception comes from a failed statement. */
  private RuntimeException noteSql(RuntimeException e) {
    for (Throwable t = e; t != null && !sqlFailed; t = t.getCause()) {
      sqlFailed = t instanceof SQLException;
    }
    return e;
  }

  private void rollbackQuietly() {
    try {
      db.execute("ROLLBACK");
    } catch (SQLException e) {
      LOG.debug("rollback after a failed batch", e);
    }
  }
}
