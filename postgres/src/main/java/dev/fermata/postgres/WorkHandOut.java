package dev.fermata.postgres;

import dev.fermata.FermataException;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.CorruptRecordException;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.OrchestrationWorkItem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out work shared by all workers: claims an instance with visible messages, or an activity
 * task, under a lease ({@code FOR UPDATE SKIP LOCKED}, so workers never wait for each other's
 * claims), and counts the delivery in the same transaction.
 *
 * <p>When there is nothing to claim, a waiter sleeps until a signal (this worker's commits, or
 * another worker's notification), the earliest time something falls due that it knows of (a timer,
 * the end of a retry delay or of another worker's lease), or the polling interval, whichever comes
 * first.
 */
final class WorkHandOut {
  private static final Logger LOG = LoggerFactory.getLogger(WorkHandOut.class);

  private static final String CLAIM_INSTANCE =
      "WITH next AS ("
          + " SELECT i.instance_id FROM inbox m JOIN instances i ON i.instance_id = m.instance_id"
          + " WHERE m.visible_at <= ? AND (i.locked_until IS NULL OR i.locked_until <= ?)"
          + " ORDER BY m.visible_at, m.id LIMIT 1 FOR UPDATE OF i SKIP LOCKED)"
          + " UPDATE instances i SET locked_by = ?, locked_until = ?,"
          + " lock_token = nextval('lock_tokens')"
          + " FROM next WHERE i.instance_id = next.instance_id RETURNING i.lock_token, "
          + prefixed("i.", Rows.INSTANCE_COLUMNS);

  private static final String TAKE_MESSAGES =
      "UPDATE inbox SET delivery_count = delivery_count + 1"
          + " WHERE instance_id = ? AND visible_at <= ? RETURNING "
          + Rows.INBOX_COLUMNS;

  private static final String CLAIM_TASK =
      "UPDATE tasks SET locked_by = ?, locked_until = ?, lock_token = nextval('lock_tokens'),"
          + " delivery_count = delivery_count + 1"
          + " WHERE id = (SELECT id FROM tasks"
          + " WHERE locked_until IS NULL OR locked_until <= ?"
          + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING "
          + Rows.TASK_COLUMNS;

  private static final String NEXT_INSTANCE_DUE =
      "SELECT LEAST((SELECT MIN(visible_at) FROM inbox WHERE visible_at > ?),"
          + " (SELECT MIN(locked_until) FROM instances WHERE locked_until > ?))";

  private static final String NEXT_TASK_DUE =
      "SELECT MIN(locked_until) FROM tasks WHERE locked_until > ?";

  private final Database database;
  private final InstantSource clock;
  private final Leases leases;
  private final Signals signals;
  private final String workerId;
  private final Duration leaseDuration;
  private final long pollingMillis;
  private volatile long lastFailureLog;

  WorkHandOut(
      Database database,
      InstantSource clock,
      Leases leases,
      Signals signals,
      String workerId,
      PostgresOptions options) {
    this.database = database;
    this.clock = clock;
    this.leases = leases;
    this.signals = signals;
    this.workerId = workerId;
    this.leaseDuration = options.leaseDuration();
    this.pollingMillis = options.maxQueuePollingInterval().toMillis();
  }

  // ---- orchestrations ----

  Optional<OrchestrationWorkItem> nextOrchestration(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (!signals.isClosed()) {
      long seen = signals.orchestrationCount();
      long sleep = pollingMillis;
      try {
        Optional<OrchestrationWorkItem> item = claimInstance();
        if (item.isPresent()) {
          return item;
        }
        sleep = untilDue(NEXT_INSTANCE_DUE, 2);
      } catch (FermataException e) {
        if (e instanceof CorruptRecordException || signals.isClosed()) {
          throw e;
        }
        logUnavailable(e);
      }
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return Optional.empty();
      }
      signals.awaitOrchestrationWork(seen, Math.max(1, Math.min(sleep, left)));
    }
    return Optional.empty();
  }

  private record Claim(OrchestrationWorkItem item, CorruptRecordException corrupt) {}

  /** One attempt to claim an instance. */
  private Optional<OrchestrationWorkItem> claimInstance() {
    while (true) {
      long now = clock.millis();
      Optional<Claim> claim = database.inTransaction(db -> claimInstance(db, now));
      if (claim.isEmpty()) {
        return Optional.empty();
      }
      if (claim.get().corrupt() != null) {
        throw claim.get().corrupt();
      }
      if (claim.get().item() != null) {
        OrchestrationWorkItem item = claim.get().item();
        leases.holdInstance(
            item.instance().instanceId(),
            item.lockToken(),
            item.messages().stream().map(InboxMessage::id).toList());
        return Optional.of(item);
      }
      // claimed, but its messages were consumed meanwhile: the transaction was rolled back
    }
  }

  private Optional<Claim> claimInstance(Connection db, long now) throws SQLException {
    String instanceId;
    long token;
    InstanceRecord instance;
    try (PreparedStatement claim = db.prepareStatement(CLAIM_INSTANCE)) {
      claim.setLong(1, now);
      claim.setLong(2, now);
      claim.setString(3, workerId);
      claim.setLong(4, now + leaseDuration.toMillis());
      try (ResultSet row = claim.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        instanceId = row.getString("instance_id");
        token = row.getLong("lock_token");
        try {
          instance = Rows.instance(row);
        } catch (CorruptRecordException e) {
          holdBack(db, instanceId, now);
          return Optional.of(new Claim(null, e));
        }
      }
    }
    List<InboxMessage> messages = new ArrayList<>();
    try (PreparedStatement take = db.prepareStatement(TAKE_MESSAGES)) {
      take.setString(1, instanceId);
      take.setLong(2, now);
      try (ResultSet rows = take.executeQuery()) {
        while (rows.next()) {
          messages.add(Rows.inboxMessage(rows, 1));
        }
      }
    } catch (CorruptRecordException e) {
      holdBack(db, instanceId, now);
      return Optional.of(new Claim(null, e));
    }
    if (messages.isEmpty()) {
      db.rollback();
      return Optional.of(new Claim(null, null));
    }
    messages.sort(Comparator.comparingLong(InboxMessage::id));
    return Optional.of(new Claim(new OrchestrationWorkItem(instance, messages, token), null));
  }

  /**
   * An instance whose rows cannot be read is released but held back for a lease's length, so that
   * other instances' work goes on; it is retried after that.
   */
  private void holdBack(Connection db, String instanceId, long now) throws SQLException {
    try (PreparedStatement update =
        db.prepareStatement(
            "UPDATE instances SET locked_by = NULL, locked_until = ? WHERE instance_id = ?")) {
      update.setLong(1, now + leaseDuration.toMillis());
      update.setString(2, instanceId);
      update.executeUpdate();
    }
  }

  // ---- activities ----

  Optional<ActivityWorkItem> nextActivity(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (!signals.isClosed()) {
      long seen = signals.activityCount();
      long sleep = pollingMillis;
      try {
        long now = clock.millis();
        Optional<ActivityWorkItem> item = database.inTransaction(db -> claimTask(db, now));
        if (item.isPresent()) {
          leases.holdTask(item.get().id(), item.get().lockToken());
          return item;
        }
        sleep = untilDue(NEXT_TASK_DUE, 1);
      } catch (FermataException e) {
        if (signals.isClosed()) {
          throw e;
        }
        logUnavailable(e);
      }
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return Optional.empty();
      }
      signals.awaitActivityWork(seen, Math.max(1, Math.min(sleep, left)));
    }
    return Optional.empty();
  }

  private Optional<ActivityWorkItem> claimTask(Connection db, long now) throws SQLException {
    try (PreparedStatement claim = db.prepareStatement(CLAIM_TASK)) {
      claim.setString(1, workerId);
      claim.setLong(2, now + leaseDuration.toMillis());
      claim.setLong(3, now);
      try (ResultSet row = claim.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new ActivityWorkItem(
                row.getLong("id"),
                Rows.task(row),
                row.getInt("delivery_count") - 1,
                row.getLong("lock_token")));
      }
    }
  }

  // ---- waiting ----

  /**
   * Milliseconds until the earliest due time {@code query} finds (its parameters are all "now"),
   * capped by the polling interval.
   */
  private long untilDue(String query, int parameters) {
    long now = clock.millis();
    Long due =
        database.autoCommit(
            db -> {
              try (PreparedStatement select = db.prepareStatement(query)) {
                for (int i = 1; i <= parameters; i++) {
                  select.setLong(i, now);
                }
                try (ResultSet row = select.executeQuery()) {
                  row.next();
                  long value = row.getLong(1);
                  return row.wasNull() ? null : value;
                }
              }
            });
    return due == null ? pollingMillis : Math.min(pollingMillis, Math.max(1, due - now));
  }

  /** The database is unreachable (a restart, a network cut): log it now and then, and wait. */
  private void logUnavailable(FermataException e) {
    long now = System.currentTimeMillis();
    if (now - lastFailureLog > 10_000) {
      lastFailureLog = now;
      LOG.warn("Cannot look for work, will retry: {}", e.getMessage());
    }
  }

  private static String prefixed(String prefix, String columns) {
    return prefix + columns.replace(", ", ", " + prefix);
  }
}
