package dev.fermata.sqlite;

import dev.fermata.OrchestrationStatus;
import dev.fermata.jdbc.Rows;
import dev.fermata.jdbc.StoreReads;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LocalDispatcher;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StoreClosedException;
import dev.fermata.spi.StoreFailureLog;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out work: takes a lock from the dispatcher, reads what it covers from a reader connection,
 * and writes the delivery count (so that work which crashes the process shows up with a higher
 * delivery count after the restart). For an episode that write is deferrable: it shares the commit
 * of the checkpoint, or commits alone within milliseconds. Work stored before this process started
 * (and a task handed out again) may be the very work that crashed it: its count must commit before
 * it runs again. The item carries that commit as its {@code ready} future, which the worker awaits
 * on the item's own thread, so the thread that hands work out goes on and the counts of many
 * hand-outs share one commit.
 */
final class WorkHandOut {
  private static final Logger LOG = LoggerFactory.getLogger(WorkHandOut.class);

  private final InstantSource clock;
  private final LocalDispatcher<QueuedTask> dispatcher;
  private final Locks locks;
  private final PendingResults pending;
  private final HandOutsFromMemory fromMemory;
  private final ReaderPool readers;
  private final GroupCommitWriter writer;
  private final long storedBeforeStart;
  private final BooleanSupplier closed;
  private final StoreFailureLog storageFailures = new StoreFailureLog(LOG);

  WorkHandOut(
      InstantSource clock,
      LocalDispatcher<QueuedTask> dispatcher,
      Locks locks,
      PendingResults pending,
      HandOutsFromMemory fromMemory,
      ReaderPool readers,
      GroupCommitWriter writer,
      long storedBeforeStart,
      BooleanSupplier closed) {
    this.clock = clock;
    this.dispatcher = dispatcher;
    this.locks = locks;
    this.pending = pending;
    this.fromMemory = fromMemory;
    this.readers = readers;
    this.writer = writer;
    this.storedBeforeStart = storedBeforeStart;
    this.closed = closed;
  }

  Optional<OrchestrationWorkItem> nextOrchestration(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (true) {
      Optional<LocalDispatcher.Lease> lease = dispatcher.takeInstance(remaining(deadline));
      if (lease.isEmpty() || closed.getAsBoolean()) {
        return Optional.empty();
      }
      try {
        Optional<OrchestrationWorkItem> item = handOut(lease.get());
        if (item.isPresent()) {
          return item;
        }
      } catch (StoreClosedException e) {
        if (closed.getAsBoolean()) {
          return Optional.empty(); // closed while reading
        }
        throw e;
      }
    }
  }

  /**
   * Takes the locked instance's work from memory ({@link HandOutsFromMemory}) or reads it, and adds
   * the results held for it; unlocks it again if there is none (a stale signal).
   */
  private Optional<OrchestrationWorkItem> handOut(LocalDispatcher.Lease lease) {
    String id = lease.instanceId();
    boolean handedOut = false;
    CompletableFuture<Void> ready = CompletableFuture.completedFuture(null);
    try {
      HandOutsFromMemory.Known known = fromMemory.take(id);
      if (known == null) {
        Optional<HandOutsFromMemory.Known> stored = readers.read(db -> readStored(db, id));
        if (stored.isEmpty()) { // purged: results held for it have no task to delete any more
          pending.removeInstance(id);
          locks.unlockTasksOf(id);
          return Optional.empty();
        }
        known = stored.get();
      }
      List<InboxMessage> inbox = known.messages();
      List<InboxMessage> held = pending.handOut(id);
      if (inbox.isEmpty() && held.isEmpty()) {
        return Optional.empty(); // a stale signal
      }
      List<InboxMessage> messages = new ArrayList<>(inbox);
      messages.addAll(held);
      if (inbox.isEmpty()) {
        // only held results, whose deliveries are counted in memory
      } else if (inbox.stream().anyMatch(m -> m.id() <= storedBeforeStart)) {
        // Stored before this start: perhaps its episode killed the process before a deferred count
        // was committed. Counted durably before it runs again, so that an episode that kills the
        // process at once still reaches the bound on deliveries.
        ready = writer.submit(countDeliveries(inbox));
      } else {
        logFailure(writer.submitDeferrable(countDeliveries(inbox)));
      }
      locks.recordHandOut(id, lease.token(), messages.stream().map(InboxMessage::id).toList());
      handedOut = true;
      return Optional.of(
          new OrchestrationWorkItem(
              known.row(), messages, lease.token(), known.historyEmpty(), ready));
    } finally {
      if (!handedOut) { // also when a row is corrupt: other work must go on
        dispatcher.release(id, lease.token(), false, null);
      }
    }
  }

  /** A write that counts a delivery of each of these inbox messages. */
  private static GroupCommitWriter.Operation<Void> countDeliveries(List<InboxMessage> inbox) {
    return (db, ctx) -> {
      for (InboxMessage message : inbox) {
        Tables.changeDeliveryCount(db, "inbox", message.id(), 1);
      }
      return null;
    };
  }

  /**
   * The instance's row and visible inbox messages (perhaps none), and whether its history is empty
   * (read in the same snapshot, which the instance's lock keeps true until its checkpoint); empty
   * if there is no row.
   */
  private Optional<HandOutsFromMemory.Known> readStored(SqlConnection db, String instanceId)
      throws SQLException {
    // The row and the messages from one snapshot. Kept prepared: this runs at every hand-out, and
    // parsing the two statements again each time was about a tenth of its CPU time in a profile.
    db.executePrepared("BEGIN");
    try {
      Optional<InstanceRecord> instance = StoreReads.instance(db, instanceId);
      if (instance.isEmpty()) {
        return Optional.empty();
      }
      List<InboxMessage> messages = StoreReads.visibleMessages(db, instanceId, clock.instant());
      // Only a pending instance can lack history (every episode of a started one stored some).
      boolean historyEmpty =
          !messages.isEmpty()
              && instance.get().status() == OrchestrationStatus.PENDING
              && StoreReads.historyEmpty(db, instanceId);
      return Optional.of(new HandOutsFromMemory.Known(instance.get(), messages, historyEmpty));
    } finally {
      db.executePrepared("COMMIT");
    }
  }

  Optional<ActivityWorkItem> nextActivity(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (true) {
      Optional<QueuedTask> queued = dispatcher.takeActivity(remaining(deadline));
      if (queued.isEmpty() || closed.getAsBoolean()) {
        return Optional.empty();
      }
      Optional<ActivityWorkItem> item =
          queued.get().inserted() != null ? handOutInserted(queued.get()) : handOutStored(queued);
      if (item == null) {
        return Optional.empty(); // closed while reading
      }
      if (item.isPresent()) {
        return item;
      }
    }
  }

  /**
   * A task just inserted: its row and its delivery count are known, nothing is read or written. If
   * its instance was purged or replaced meanwhile it runs anyway, and its result is dropped.
   */
  private Optional<ActivityWorkItem> handOutInserted(QueuedTask queued) {
    ActivityTask task = queued.inserted();
    long token = locks.lockTask(queued.id(), task.instanceId());
    return token == 0 // locked already: never for a new row, but never hand a task out twice
        ? Optional.empty()
        : Optional.of(new ActivityWorkItem(queued.id(), task, 0, token));
  }

  /** A task known by its id: read, locked and counted; null if the store closed meanwhile. */
  private Optional<ActivityWorkItem> handOutStored(Optional<QueuedTask> queued) {
    long id = queued.orElseThrow().id();
    Optional<Rows.TaskRow> row;
    try {
      row = readers.read(db -> StoreReads.task(db, id));
    } catch (StoreClosedException e) {
      if (closed.getAsBoolean()) {
        return null;
      }
      throw e;
    }
    long token = row.isPresent() ? locks.lockTask(id, row.get().task().instanceId()) : 0;
    if (token == 0) { // purged, or its instance replaced
      return Optional.empty();
    }
    // A task handed out again may be one whose last run killed the process: its count is made
    // durable before it runs again, or one that kills the process at once would never reach the
    // bound on deliveries. Only redeliveries come this way (see handOutInserted).
    CompletableFuture<Void> ready =
        writer.submit(
            (db, ctx) -> {
              Tables.changeDeliveryCount(db, "tasks", id, 1);
              return null;
            });
    return Optional.of(
        new ActivityWorkItem(id, row.get().task(), row.get().deliveryCount(), token, ready));
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  /** For writes nobody waits for: their failure is logged. */
  private void logFailure(CompletableFuture<?> write) {
    write.whenComplete(
        (ok, failure) -> {
          if (failure == null) {
            return;
          }
          StoreFailureLog.cause(failure)
              .ifPresentOrElse(
                  storage -> storageFailures.warn("Delivery count not recorded", storage),
                  () -> LOG.warn("Delivery count not recorded", failure));
        });
  }
}
