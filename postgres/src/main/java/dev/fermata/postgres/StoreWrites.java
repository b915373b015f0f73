package dev.fermata.postgres;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.EntityRows;
import dev.fermata.spi.HistoryCodec;
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
  private final String channel;
  private final String workerId;

  /** {@code channel} and {@code workerId} address the notices a batch sends itself. */
  StoreWrites(InstantSource clock, Leases leases, String channel, String workerId) {
    this.clock = clock;
    this.leases = leases;
    this.channel = channel;
    this.workerId = workerId;
  }

  // ---- client writes ----

  /** Creates an instance following {@link NewInstance}'s rules; false if refused. */
  boolean createInstance(Connection db, Notices notices, NewInstance request) throws SQLException {
    InstanceRecord record = request.record();
    String id = record.instanceId();
    SqlBatch writes = new SqlBatch();
    while (true) {
      // Most ids are new: the insert comes first, and takes no lock on a row that exists.
      if (Tables.insertInstance(db, record)) {
        break;
      }
      Optional<Tables.LockedRow> existing = Tables.lockRow(db, id, true);
      if (existing.isEmpty()) {
        continue; // purged meanwhile: try the insert again
      }
      if (existing.get().status().isRunningLike()) {
        if (request.onConflict() != null) {
          enqueue(db, notices, request.onConflict());
        }
        return false;
      }
      Tables.updateInstance(writes, record, null, true); // replaces a finished instance
      break;
    }
    // The id is ours now (row locked or inserted). Rows of the instance it replaces go, and rows a
    // message sent while a purge was deleting it may have left.
    Tables.deleteRows(writes, id, "history", "inbox", "tasks");
    Instant startAt =
        record.scheduledStartAt() != null
            ? record.scheduledStartAt()
            : request.startEvent().scheduledStartTime();
    NewMessage start = new NewMessage(id, record.executionId(), startAt, request.startEvent());
    Tables.insertMessage(writes, start, startAt == null ? clock.instant() : startAt);
    writes.execute(db);
    notices.orchestrationWork();
    notices.instanceChanged(id, record.status());
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
    SqlBatch delete = new SqlBatch();
    Tables.deleteRows(delete, instanceId, "instances", "history", "inbox", "tasks", "dead_letters");
    delete.execute(db);
    notices.instanceChanged(instanceId, null);
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
    Optional<Tables.CheckpointRow> locked = Tables.lockForCheckpoint(db, id);
    if (locked.isEmpty()
        || locked.get().row().lockedBy() == null
        || locked.get().row().lockToken() != token) {
      throw new StaleLockException(
          "checkpoint refused: instance '" + id + "' is not locked with token " + token);
    }
    int stored = locked.get().historySize();
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
    // The instance's own writes go in one round trip.
    SqlBatch writes = new SqlBatch();
    consume(writes, cp, now);
    if (cp.resetHistory()) {
      Tables.deleteRows(writes, id, "history");
    }
    Tables.appendHistory(writes, id, cp.resetHistory() ? 0 : stored, cp.newEvents());
    Tables.updateInstance(writes, cp.instance(), null, false);
    notices.instanceChanged(id, cp.instance().status());
    Tables.insertTasks(writes, cp.newTasks());
    if (!cp.newTasks().isEmpty()) {
      notices.activityWork();
    }
    if (cp.newInstances().isEmpty() && cp.newMessages().isEmpty()) {
      // Nothing else to notice: the batch ends by sending the notices.
      notices.sendEndingBatch(writes, channel, workerId, id, now);
      if (writes.query(db, StoreWrites::firstBoolean)) {
        notices.orchestrationWork();
      }
      return null;
    }
    writes.execute(db);
    for (NewInstance child : cp.newInstances()) { // first, so that messages can reach them
      createInstance(db, notices, child);
    }
    for (NewMessage message : cp.newMessages()) {
      enqueue(db, notices, message);
    }
    if (Tables.hasVisibleMessage(db, id, now)) {
      notices.orchestrationWork();
    }
    return null;
  }

  private static boolean firstBoolean(ResultSet row) throws SQLException {
    row.next();
    return row.getBoolean(1);
  }

  /** Deletes (or dead-letters) consumed messages; uncounts the others this episode was given. */
  private void consume(SqlBatch writes, Checkpoint cp, long now) {
    String id = cp.instanceId();
    if (cp.deadLetter()) {
      Tables.copyToDeadLetters(writes, id, cp.consumedMessageIds(), now);
    }
    Tables.deleteMessages(writes, id, cp.consumedMessageIds());
    // Handing a message out counted a delivery (so that a crash counts); one the episode
    // processed successfully but left in the inbox was not a failed delivery.
    List<Long> unconsumed = new ArrayList<>(leases.handedOut(id, cp.lockToken()));
    unconsumed.removeAll(cp.consumedMessageIds());
    Tables.uncountDeliveries(writes, id, unconsumed);
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

  /**
   * Deletes the task and sends its result to the instance, with the notice, in one statement (run
   * on its own, it is its own transaction: one round trip). Returns whether the result was sent:
   * not if the instance is gone.
   *
   * @throws StaleLockException if the task is no longer locked with the item's token
   */
  boolean completeActivity(Connection db, ActivityWorkItem item, HistoryEvent result)
      throws SQLException {
    ActivityTask task = item.task();
    try (PreparedStatement complete =
        db.prepareStatement(
            "WITH done AS (DELETE FROM tasks"
                + " WHERE id = ? AND lock_token = ? AND locked_by IS NOT NULL RETURNING id),"
                + " sent AS (INSERT INTO inbox (instance_id, execution_id, visible_at, event_json)"
                + " SELECT ?, ?, ?, ? FROM done WHERE EXISTS"
                // KEY SHARE, as in Tables.insertMessageIfInstanceExists: never a message to a
                // ghost.
                + " (SELECT 1 FROM instances WHERE instance_id = ? FOR KEY SHARE) RETURNING id)"
                + " SELECT (SELECT count(*) FROM done), (SELECT count(pg_notify(?, ?)) FROM sent)")) {
      complete.setLong(1, item.id());
      complete.setLong(2, item.lockToken());
      complete.setString(3, task.instanceId());
      complete.setString(4, task.executionId());
      complete.setLong(5, clock.millis());
      complete.setString(6, HistoryCodec.encode(result));
      complete.setString(7, task.instanceId());
      complete.setString(8, channel);
      complete.setString(9, Notices.orchestrationWorkPayload(workerId));
      try (ResultSet row = complete.executeQuery()) {
        row.next();
        if (row.getInt(1) == 0) {
          throw new StaleLockException(
              "activity result dropped: task "
                  + item.id()
                  + " of instance '"
                  + task.instanceId()
                  + "' is no longer locked with token "
                  + item.lockToken());
        }
        return row.getInt(2) == 1;
      }
    }
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
    InstanceRecord row = EntityRows.newRow(instanceId, clock.instant());
    if (Tables.insertInstance(db, row)) {
      notices.instanceChanged(instanceId, row.status());
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
