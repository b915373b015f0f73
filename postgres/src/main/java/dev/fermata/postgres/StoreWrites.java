package dev.fermata.postgres;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.EntityRows;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StaleLockException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every write the store makes, each run inside one transaction it is given. What other workers must
 * hear of is collected in {@link Notices}, sent when the transaction commits.
 *
 * <p>Row locks: a write locks the row of the instance it changes before anything else, so two
 * workers never interleave on one instance; a checkpoint's lock ({@code FOR NO KEY UPDATE}) does
 * not conflict with the key-share lock a message to the instance takes (see {@link
 * Tables#insertMessageIfInstanceExists}), so two checkpoints sending to each other cannot deadlock;
 * creating and purging lock {@code FOR UPDATE}, so no message slips in while rows are deleted.
 */
final class StoreWrites {
  private static final Logger LOG = LoggerFactory.getLogger(StoreWrites.class);

  private final InstantSource clock;
  private final Leases leases;

  StoreWrites(InstantSource clock, Leases leases) {
    this.clock = clock;
    this.leases = leases;
  }

  // ---- client writes ----

  /** Creates an instance following {@link NewInstance}'s rules; false if refused. */
  boolean createInstance(Connection db, Notices notices, NewInstance request) throws SQLException {
    InstanceRecord record = request.record();
    String id = record.instanceId();
    while (true) {
      Optional<Tables.LockedRow> existing = Tables.lockRow(db, id, true);
      if (existing.isPresent() && existing.get().status().isRunningLike()) {
        if (request.onConflict() != null) {
          enqueue(db, notices, request.onConflict());
        }
        return false;
      }
      if (existing.isEmpty() && !Tables.insertInstance(db, record)) {
        continue; // another worker created it meanwhile: decide again on its committed row
      }
      // The id is ours now (row locked or inserted). Rows of the instance it replaces go, and
      // rows a message sent while a purge was deleting it may have left.
      Tables.deleteRows(db, id, "history", "inbox", "tasks");
      if (existing.isPresent()) {
        Tables.updateInstance(db, record, null, true);
      }
      break;
    }
    Instant startAt =
        record.scheduledStartAt() != null
            ? record.scheduledStartAt()
            : request.startEvent().scheduledStartTime();
    enqueue(db, notices, new NewMessage(id, record.executionId(), startAt, request.startEvent()));
    notices.instanceChanged(id);
    return true;
  }

  Optional<OrchestrationStatus> sendMessage(
      Connection db, Notices notices, NewMessage message, Set<OrchestrationStatus> accepted)
      throws SQLException {
    Optional<OrchestrationStatus> status = Tables.shareStatus(db, message.instanceId());
    if (status.isEmpty() && createEntityIfMissing(db, notices, message.instanceId())) {
      status = Tables.shareStatus(db, message.instanceId());
    }
    if (status.isPresent() && accepted.contains(status.get())) {
      enqueue(db, notices, message);
    }
    return status;
  }

  boolean purge(Connection db, Notices notices, String instanceId) throws SQLException {
    Optional<Tables.LockedRow> row = Tables.lockRow(db, instanceId, true);
    if (row.isEmpty() || !row.get().status().isTerminal()) {
      return false;
    }
    if (EntityRows.isEntityId(instanceId)
        && Tables.hasVisibleMessage(db, instanceId, Long.MAX_VALUE)) {
      return false; // a message arrived for the empty entity: it lives on
    }
    Tables.deleteRows(db, instanceId, "instances", "history", "inbox", "tasks", "dead_letters");
    notices.instanceChanged(instanceId);
    return true;
  }

  /** Purges up to {@code limit} terminal instances matching {@code filter}; returns how many. */
  int purgeBatch(Connection db, Notices notices, InstanceFilter filter, int limit)
      throws SQLException {
    FilterSql where = FilterSql.terminalOnly(filter);
    List<String> ids = new ArrayList<>();
    try (PreparedStatement select =
        db.prepareStatement(
            "SELECT instance_id FROM instances WHERE "
                + where.where()
                + " LIMIT ? FOR UPDATE SKIP LOCKED")) {
      select.setInt(where.bind(select), limit);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
    }
    int purged = 0;
    for (String id : ids) {
      purged += purge(db, notices, id) ? 1 : 0;
    }
    return purged;
  }

  // ---- orchestration episodes ----

  /**
   * Applies a checkpoint. Returns null when applied, or the refusal when the stored history moved
   * on (nothing is applied then, but the instance is unlocked and dispatched again).
   *
   * @throws StaleLockException if the lock is no longer current
   */
  StaleLockException checkpoint(Connection db, Notices notices, Checkpoint cp) throws SQLException {
    String id = cp.instanceId();
    long token = cp.lockToken();
    Optional<Tables.LockedRow> row = Tables.lockRow(db, id, false);
    if (row.isEmpty() || row.get().lockedBy() == null || row.get().lockToken() != token) {
      throw new StaleLockException(
          "checkpoint refused: instance '" + id + "' is not locked with token " + token);
    }
    int stored = Tables.historySize(db, id);
    if (!cp.resetHistory() && !cp.newEvents().isEmpty() && cp.firstEventIndex() != stored) {
      Tables.releaseInstance(db, id, token, null);
      notices.orchestrationWork();
      return new StaleLockException(
          "checkpoint refused: instance '"
              + id
              + "' has "
              + stored
              + " history events but the checkpoint starts at "
              + cp.firstEventIndex());
    }
    long now = clock.millis();
    consume(db, cp, now);
    if (cp.resetHistory()) {
      Tables.deleteRows(db, id, "history");
    }
    Tables.appendHistory(db, id, cp.resetHistory() ? 0 : stored, cp.newEvents());
    Tables.updateInstance(db, cp.instance(), null, false);
    notices.instanceChanged(id);
    for (NewInstance child : cp.newInstances()) { // first, so that messages can reach them
      createInstance(db, notices, child);
    }
    Tables.insertTasks(db, cp.newTasks());
    if (!cp.newTasks().isEmpty()) {
      notices.activityWork();
    }
    for (NewMessage message : cp.newMessages()) {
      enqueue(db, notices, message);
    }
    if (Tables.hasVisibleMessage(db, id, now)) {
      notices.orchestrationWork();
    }
    return null;
  }

  /** Deletes (or dead-letters) consumed messages; uncounts the others this episode was given. */
  private void consume(Connection db, Checkpoint cp, long now) throws SQLException {
    String id = cp.instanceId();
    if (cp.deadLetter()) {
      Tables.copyToDeadLetters(db, id, cp.consumedMessageIds(), now);
    }
    Tables.deleteMessages(db, id, cp.consumedMessageIds());
    // Handing a message out counted a delivery (so that a crash counts); one the episode
    // processed successfully but left in the inbox was not a failed delivery.
    List<Long> unconsumed = new ArrayList<>(leases.handedOut(id, cp.lockToken()));
    unconsumed.removeAll(cp.consumedMessageIds());
    Tables.uncountDeliveries(db, id, unconsumed);
  }

  void abandonOrchestration(
      Connection db, Notices notices, OrchestrationWorkItem item, Duration retryDelay)
      throws SQLException {
    Long holdUntil =
        retryDelay == null || retryDelay.isZero() || retryDelay.isNegative()
            ? null
            : clock.millis() + retryDelay.toMillis();
    // The delivery was counted when the messages were handed out.
    if (Tables.releaseInstance(db, item.instance().instanceId(), item.lockToken(), holdUntil)) {
      notices.orchestrationWork();
    }
  }

  // ---- activities ----

  void completeActivity(Connection db, Notices notices, ActivityWorkItem item, HistoryEvent result)
      throws SQLException {
    if (!Tables.deleteLockedTask(db, item.id(), item.lockToken())) {
      throw new StaleLockException(
          "activity result dropped: task "
              + item.id()
              + " of instance '"
              + item.task().instanceId()
              + "' is no longer locked with token "
              + item.lockToken());
    }
    ActivityTask task = item.task();
    enqueue(db, notices, new NewMessage(task.instanceId(), task.executionId(), null, result));
  }

  void abandonActivity(Connection db, Notices notices, ActivityWorkItem item) throws SQLException {
    // The delivery was counted when the task was handed out; only the lock goes.
    if (Tables.releaseTask(db, item.id(), item.lockToken())) {
      notices.activityWork();
    }
  }

  /**
   * The first message for an entity creates its row (see {@link EntityRows}); true if the id is an
   * entity's and its row now exists.
   */
  private boolean createEntityIfMissing(Connection db, Notices notices, String instanceId)
      throws SQLException {
    if (!EntityRows.isEntityId(instanceId)) {
      return false;
    }
    if (Tables.insertInstance(db, EntityRows.newRow(instanceId, clock.instant()))) {
      notices.instanceChanged(instanceId);
    }
    return true;
  }

  /**
   * Adds a message to an existing instance's inbox (creating an entity's row); a message for no
   * instance is dropped.
   */
  private void enqueue(Connection db, Notices notices, NewMessage message) throws SQLException {
    Instant visibleAt = message.visibleAt() == null ? clock.instant() : message.visibleAt();
    boolean inserted = Tables.insertMessageIfInstanceExists(db, message, visibleAt);
    if (!inserted && createEntityIfMissing(db, notices, message.instanceId())) {
      inserted = Tables.insertMessageIfInstanceExists(db, message, visibleAt);
    }
    if (inserted) {
      notices.orchestrationWork(); // a future message wakes waiters too: they re-plan their sleep
    } else {
      LOG.debug(
          "dropping {} for unknown instance '{}'",
          message.event().eventType(),
          message.instanceId());
    }
  }
}
