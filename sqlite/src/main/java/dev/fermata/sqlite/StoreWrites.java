package dev.fermata.sqlite;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.EntityRows;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceChangeListener;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LocalDispatcher;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StaleLockException;
import dev.fermata.sqlite.GroupCommitWriter.WriteContext;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every write the store makes, each run by the {@link GroupCommitWriter} inside its batch
 * transaction. Dispatcher signals and listener calls are registered as post-commit actions, so
 * nobody is woken for work that is not committed yet.
 */
final class StoreWrites {
  private static final Logger LOG = LoggerFactory.getLogger(StoreWrites.class);

  private final InstantSource clock;
  private final LocalDispatcher<Long> dispatcher;
  private final Locks locks;
  private final InstanceChangeListener instanceChanged;

  StoreWrites(
      InstantSource clock,
      LocalDispatcher<Long> dispatcher,
      Locks locks,
      InstanceChangeListener instanceChanged) {
    this.clock = clock;
    this.dispatcher = dispatcher;
    this.locks = locks;
    this.instanceChanged = instanceChanged;
  }

  // ---- client writes ----

  /** Creates an instance following {@link NewInstance}'s rules; false if refused. */
  boolean createInstance(SqlConnection db, WriteContext ctx, NewInstance request)
      throws SQLException {
    InstanceRecord record = request.record();
    String id = record.instanceId();
    Optional<OrchestrationStatus> existing = Tables.status(db, id);
    if (existing.isPresent() && existing.get().isRunningLike()) {
      if (request.onConflict() != null) {
        enqueue(db, ctx, request.onConflict(), EventJson.INLINE);
      }
      return false;
    }
    if (existing.isPresent()) {
      Tables.deleteRows(db, id, "history", "inbox", "tasks");
    }
    Tables.writeInstance(db, record);
    Instant startAt =
        record.scheduledStartAt() != null
            ? record.scheduledStartAt()
            : request.startEvent().scheduledStartTime();
    enqueue(
        db,
        ctx,
        new NewMessage(id, record.executionId(), startAt, request.startEvent()),
        EventJson.INLINE);
    ctx.afterCommit(() -> instanceChanged.changed(id, record.status()));
    return true;
  }

  Optional<OrchestrationStatus> sendMessage(
      SqlConnection db, WriteContext ctx, NewMessage message, Set<OrchestrationStatus> accepted)
      throws SQLException {
    createEntityIfMissing(db, ctx, message.instanceId());
    Optional<OrchestrationStatus> status = Tables.status(db, message.instanceId());
    if (status.isPresent() && accepted.contains(status.get())) {
      enqueue(db, ctx, message, EventJson.INLINE);
    }
    return status;
  }

  boolean purge(SqlConnection db, WriteContext ctx, String instanceId) throws SQLException {
    Optional<OrchestrationStatus> status = Tables.status(db, instanceId);
    if (status.isEmpty() || !status.get().isTerminal()) {
      return false;
    }
    if (EntityRows.isEntityId(instanceId) && Tables.hasMessage(db, instanceId)) {
      return false; // a message arrived for the empty entity: it lives on
    }
    Tables.deleteRows(db, instanceId, "instances", "history", "inbox", "tasks", "dead_letters");
    ctx.afterCommit(() -> instanceChanged.changed(instanceId, null));
    return true;
  }

  /** Purges up to {@code limit} terminal instances matching {@code filter}; returns how many. */
  int purgeBatch(SqlConnection db, WriteContext ctx, InstanceFilter filter, int limit)
      throws SQLException {
    FilterSql where = FilterSql.terminalOnly(filter);
    PreparedStatement select =
        db.prepare("SELECT instance_id FROM instances WHERE " + where.where() + " LIMIT ?");
    select.setInt(where.bind(select), limit);
    List<String> ids = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    int purged = 0;
    for (String id : ids) {
      purged += purge(db, ctx, id) ? 1 : 0;
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
  StaleLockException checkpoint(SqlConnection db, WriteContext ctx, Checkpoint cp, EventJson json)
      throws SQLException {
    String id = cp.instanceId();
    long token = cp.lockToken();
    if (ctx.unlockedInBatch(id) || !dispatcher.holds(id, token)) {
      throw new StaleLockException(
          "checkpoint refused: instance '" + id + "' is not locked with token " + token);
    }
    int stored = Tables.historySize(db, id);
    if (!cp.resetHistory() && !cp.newEvents().isEmpty() && cp.firstEventIndex() != stored) {
      unlockAfterCommit(ctx, id, token, true, null);
      return new StaleLockException(
          "checkpoint refused: instance '"
              + id
              + "' has "
              + stored
              + " history events but the checkpoint starts at "
              + cp.firstEventIndex());
    }
    Instant now = clock.instant();
    consume(db, cp, now);
    if (cp.resetHistory()) {
      Tables.deleteRows(db, id, "history");
    }
    Tables.appendHistory(db, id, cp.resetHistory() ? 0 : stored, cp.newEvents(), json);
    Tables.updateInstance(db, cp.instance());
    OrchestrationStatus status = cp.instance().status();
    ctx.afterCommit(() -> instanceChanged.changed(id, status));
    for (NewInstance child : cp.newInstances()) { // first, so that messages can reach them
      createInstance(db, ctx, child);
    }
    for (ActivityTask task : cp.newTasks()) {
      long taskId = Tables.insertTask(db, task);
      ctx.afterCommit(() -> dispatcher.signalActivity(taskId));
    }
    for (NewMessage message : cp.newMessages()) {
      enqueue(db, ctx, message, json);
    }
    unlockAfterCommit(ctx, id, token, Tables.hasVisibleMessage(db, id, now), null);
    return null;
  }

  /** Deletes (or dead-letters) consumed messages; uncounts the others this episode was given. */
  private void consume(SqlConnection db, Checkpoint cp, Instant now) throws SQLException {
    String id = cp.instanceId();
    for (long messageId : cp.consumedMessageIds()) {
      if (cp.deadLetter()) {
        Tables.copyToDeadLetters(db, id, messageId, now);
      }
      Tables.deleteMessage(db, id, messageId);
    }
    // Handing a message out counted a delivery (so that a crash counts); one the episode
    // processed successfully but left in the inbox was not a failed delivery.
    Set<Long> unconsumed = new HashSet<>(locks.handedOut(id, cp.lockToken()));
    cp.consumedMessageIds().forEach(unconsumed::remove);
    for (long messageId : unconsumed) {
      Tables.changeDeliveryCount(db, "inbox", messageId, -1);
    }
  }

  void abandonOrchestration(
      SqlConnection db, WriteContext ctx, OrchestrationWorkItem item, Duration retryDelay) {
    String id = item.instance().instanceId();
    if (ctx.unlockedInBatch(id) || !dispatcher.holds(id, item.lockToken())) {
      return;
    }
    // The delivery was counted when the messages were handed out.
    unlockAfterCommit(ctx, id, item.lockToken(), true, retryDelay);
  }

  /** Counts a delivery of each message handed out (so that a crash mid-episode counts too). */
  void countDeliveries(SqlConnection db, List<InboxMessage> messages) throws SQLException {
    for (InboxMessage message : messages) {
      Tables.changeDeliveryCount(db, "inbox", message.id(), 1);
    }
  }

  private void unlockAfterCommit(
      WriteContext ctx, String id, long token, boolean moreWork, Duration delay) {
    ctx.unlocking(id);
    ctx.afterCommit(
        () -> {
          locks.forgetHandOut(id, token);
          dispatcher.release(id, token, moreWork, delay);
        });
  }

  // ---- activities ----

  void completeActivity(
      SqlConnection db,
      WriteContext ctx,
      ActivityWorkItem item,
      HistoryEvent result,
      EventJson json)
      throws SQLException {
    if (!locks.holdsTask(item.id(), item.lockToken())) {
      throw staleTask(item);
    }
    if (!Tables.deleteTask(db, item.id())) {
      locks.unlockTask(item.id(), item.lockToken()); // purged meanwhile: the lock is moot
      throw staleTask(item);
    }
    ActivityTask task = item.task();
    enqueue(db, ctx, new NewMessage(task.instanceId(), task.executionId(), null, result), json);
    ctx.afterCommit(() -> locks.unlockTask(item.id(), item.lockToken()));
  }

  void abandonActivity(SqlConnection db, WriteContext ctx, ActivityWorkItem item)
      throws SQLException {
    if (!locks.holdsTask(item.id(), item.lockToken())) {
      return;
    }
    // The delivery was counted when the task was handed out; only the lock goes.
    ctx.afterCommit(
        () -> {
          locks.unlockTask(item.id(), item.lockToken());
          dispatcher.signalActivity(item.id());
        });
  }

  void countTaskDelivery(SqlConnection db, long taskId) throws SQLException {
    Tables.changeDeliveryCount(db, "tasks", taskId, 1);
  }

  private static StaleLockException staleTask(ActivityWorkItem item) {
    return new StaleLockException(
        "activity result dropped: task "
            + item.id()
            + " of instance '"
            + item.task().instanceId()
            + "' is no longer locked with token "
            + item.lockToken());
  }

  /** The first message for an entity creates its row (see {@link EntityRows}). */
  private void createEntityIfMissing(SqlConnection db, WriteContext ctx, String instanceId)
      throws SQLException {
    if (EntityRows.isEntityId(instanceId) && !Tables.instanceExists(db, instanceId)) {
      InstanceRecord row = EntityRows.newRow(instanceId, clock.instant());
      Tables.writeInstance(db, row);
      ctx.afterCommit(() -> instanceChanged.changed(instanceId, row.status()));
    }
  }

  /**
   * Adds a message to an existing instance's inbox (creating an entity's row); a message for no
   * instance is dropped.
   */
  private void enqueue(SqlConnection db, WriteContext ctx, NewMessage message, EventJson json)
      throws SQLException {
    createEntityIfMissing(db, ctx, message.instanceId());
    if (!Tables.instanceExists(db, message.instanceId())) {
      LOG.debug(
          "dropping {} for unknown instance '{}'",
          message.event().eventType(),
          message.instanceId());
      return;
    }
    Instant visibleAt = message.visibleAt() == null ? clock.instant() : message.visibleAt();
    Tables.insertMessage(db, message, visibleAt, json);
    ctx.afterCommit(() -> dispatcher.signalInstance(message.instanceId(), visibleAt));
  }
}
