package dev.fermata.postgres;

import dev.fermata.FermataException;
import dev.fermata.jdbc.Rows;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.CorruptRecordException;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StoreFailureLog;
import dev.fermata.spi.StoreUnavailableException;
import dev.fermata.spi.WorkScope;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
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

  /**
   * Instances claimed by one transaction at most: fewer round trips per episode, while the rest of
   * the visible work stays available to other workers.
   */
  static final int CLAIM_BATCH = 4;

  /**
   * Claims up to {@code CLAIM_BATCH} instances with visible messages and takes those messages, in
   * one statement (one round trip, its own transaction). Instances this worker keeps locked between
   * episodes (see {@link LocalSteps}) are claimed too, keeping their lock tokens. Rows of kind
   * {@code i} are the claimed instances with their new lock tokens; rows of kind {@code m} their
   * messages, with the message's columns under the inbox's names.
   */
  private static final String CLAIM_INSTANCES =
      "WITH candidates AS ("
          + " SELECT i.instance_id, i.locked_by AS was_locked_by"
          + " FROM inbox m JOIN instances i ON i.instance_id = m.instance_id"
          + " WHERE m.visible_at <= ? AND (i.locked_until IS NULL OR i.locked_until <= ?"
          + " OR (i.locked_by = ? AND i.lock_token = ANY (?)))"
          // Work of this worker's partitions, work waiting too long, and instances it keeps.
          + " AND ("
          + Partitions.sqlOf("m.instance_id")
          + " = ANY (?) OR m.visible_at <= ? OR (i.locked_by = ? AND i.lock_token = ANY (?)))"
          // Only names this worker can run (see WorkScope), and instances it keeps.
          + " AND (? OR lower(i.name) = ANY (?) OR (i.locked_by = ? AND i.lock_token = ANY (?)))"
          + " ORDER BY m.visible_at, m.id LIMIT ? FOR UPDATE OF i SKIP LOCKED),"
          + " claimed AS (UPDATE instances i SET locked_by = ?, locked_until = ?,"
          + " lock_token = CASE WHEN i.locked_by = ? AND i.lock_token = ANY (?)"
          + " THEN i.lock_token ELSE nextval('lock_tokens') END"
          + " FROM (SELECT DISTINCT instance_id, was_locked_by FROM candidates) next"
          + " WHERE i.instance_id = next.instance_id RETURNING i.lock_token, next.was_locked_by,"
          // Only a pending instance can lack history: the probe is skipped for the others.
          + " CASE WHEN i.status = 'PENDING' THEN NOT EXISTS (SELECT 1 FROM history h"
          + " WHERE h.instance_id = i.instance_id) ELSE false END AS history_empty, "
          + prefixed("i.", Rows.INSTANCE_COLUMNS)
          + "), taken AS (UPDATE inbox m SET delivery_count = m.delivery_count + 1 FROM claimed c"
          + " WHERE m.instance_id = c.instance_id AND m.visible_at <= ? RETURNING "
          + prefixed("m.", Rows.INBOX_COLUMNS)
          + ") SELECT 'i' AS kind, lock_token, history_empty, was_locked_by, "
          + Rows.INSTANCE_COLUMNS
          + ", NULL::bigint AS id, NULL::bigint AS visible_at, NULL::text AS event_json,"
          + " NULL::integer AS delivery_count FROM claimed"
          + " UNION ALL SELECT 'm', NULL, NULL, NULL, instance_id, NULL, execution_id, NULL, NULL,"
          + " NULL,"
          + " NULL,"
          + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, id, visible_at,"
          + " event_json,"
          + " delivery_count FROM taken";

  private static final String RELEASE =
      "UPDATE instances SET locked_by = NULL, locked_until = ? WHERE instance_id = ANY (?)";

  /**
   * Activity tasks claimed by one transaction at most. A worker claims only as many as it has
   * threads waiting for one, so tasks are not held back from idle workers behind long activities.
   */
  static final int TASK_CLAIM_BATCH = 16;

  /** Claims tasks; {@code was_locked_by} says whose lease ran out, for the takeover count. */
  private static final String CLAIM_TASKS =
      "WITH c AS (SELECT id, locked_by AS was_locked_by FROM tasks"
          + " WHERE (locked_until IS NULL OR locked_until <= ?) AND (? OR lower(name) = ANY (?))"
          + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)"
          + " UPDATE tasks t SET locked_by = ?, locked_until = ?,"
          + " lock_token = nextval('lock_tokens'), delivery_count = t.delivery_count + 1"
          + " FROM c WHERE t.id = c.id RETURNING "
          + prefixed("t.", Rows.TASK_COLUMNS)
          + ", t.lock_token, c.was_locked_by";

  /** When a lease runs out next: the instance may be taken over. */
  private static final String NEXT_LEASE_END =
      "(SELECT MIN(locked_until) FROM instances WHERE locked_until > ?)";

  /** A lone worker's next due time: the earliest message to become visible, or lease to end. */
  private static final String NEXT_INSTANCE_DUE =
      "SELECT LEAST((SELECT MIN(visible_at) FROM inbox WHERE visible_at > ?), "
          + NEXT_LEASE_END
          + ")";

  /**
   * A worker owning some partitions: the earliest message of its own to become visible, of the
   * others' to become claimable by anyone (see {@link Partitions#STEAL_AFTER_MILLIS}), or lease to
   * end. Parameters: now, owned partitions, now minus the steal delay, owned partitions, now.
   */
  private static final String NEXT_PARTITIONED_INSTANCE_DUE =
      "SELECT LEAST((SELECT visible_at FROM inbox WHERE visible_at > ? AND "
          + Partitions.sqlOf("instance_id")
          + " = ANY (?) ORDER BY visible_at LIMIT 1),"
          + " (SELECT visible_at + "
          + Partitions.STEAL_AFTER_MILLIS
          + " FROM inbox WHERE visible_at > ? AND NOT "
          + Partitions.sqlOf("instance_id")
          + " = ANY (?) ORDER BY visible_at LIMIT 1), "
          + NEXT_LEASE_END
          + ")";

  private static final String NEXT_TASK_DUE =
      "SELECT MIN(locked_until) FROM tasks WHERE locked_until > ?";

  private final Database database;
  private final InstantSource clock;
  private final Leases leases;
  private final LocalSteps localSteps;
  private final Signals signals;
  private final Partitions partitions;
  private final String workerId;
  private final String channel;
  private final Duration leaseDuration;
  private final long pollingMillis;

  /** The names this worker claims, or null for all (see {@link WorkScope}). */
  private final WorkScope scope;

  private final LeaseTakeovers takeovers;

  private final StoreFailureLog storageFailures = new StoreFailureLog(LOG);

  /** Claimed instances not handed out yet (their leases are held and renewed meanwhile). */
  private final ConcurrentLinkedQueue<OrchestrationWorkItem> claimed =
      new ConcurrentLinkedQueue<>();

  /** Claimed tasks not handed out yet (their leases are held and renewed meanwhile). */
  private final ConcurrentLinkedQueue<ActivityWorkItem> claimedTasks =
      new ConcurrentLinkedQueue<>();

  /** Threads in {@link #nextActivity}: how many tasks one claim may take. */
  private final AtomicInteger activityWaiters = new AtomicInteger();

  private final Kind<OrchestrationWorkItem> instances;
  private final Kind<ActivityWorkItem> tasks;

  /**
   * New instances a client of this worker creates are started here, from memory, while fewer than
   * this many claimed or started instances wait for its orchestration threads; beyond that, they go
   * to the shared queue, where any worker may claim them.
   */
  static final int LOCAL_START_LIMIT = 16;

  /** Set once orchestration threads ask for work: only then do new instances start here. */
  private volatile boolean runsOrchestrations;

  /** Set once activity threads ask for work: only then are tasks locked for this worker. */
  private volatile boolean runsActivities;

  WorkHandOut(
      Database database,
      InstantSource clock,
      Leases leases,
      LocalSteps localSteps,
      Signals signals,
      Partitions partitions,
      String workerId,
      PostgresOptions options,
      WorkScope scope,
      LeaseTakeovers takeovers) {
    this.database = database;
    this.scope = scope;
    this.takeovers = takeovers;
    this.clock = clock;
    this.leases = leases;
    this.localSteps = localSteps;
    this.signals = signals;
    this.partitions = partitions;
    this.workerId = workerId;
    this.channel = options.schemaName();
    this.leaseDuration = options.leaseDuration();
    this.pollingMillis = options.maxQueuePollingInterval().toMillis();
    this.instances =
        new Kind<>(
            signals::orchestrationCount,
            signals::sharedOrchestrationCount,
            signals::awaitOrchestrationWork,
            this::takeHeldInstance,
            this::claimInstance,
            this::untilInstanceDue,
            true,
            new Looks());
    this.tasks =
        new Kind<>(
            signals::activityCount,
            signals::sharedActivityCount,
            signals::awaitActivityWork,
            () -> Optional.ofNullable(claimedTasks.poll()),
            this::claimTask,
            () -> untilDue(NEXT_TASK_DUE, (select, now) -> select.setLong(1, now)),
            false,
            new Looks());
  }

  // ---- orchestrations ----

  Optional<OrchestrationWorkItem> nextOrchestration(Duration maxWait) throws InterruptedException {
    if (!runsOrchestrations) {
      synchronized (this) {
        if (!runsOrchestrations) {
          beat(); // joins the workers dividing the partitions before the first claim
          runsOrchestrations = true;
        }
      }
    }
    return await(instances, maxWait);
  }

  /**
   * Renews this worker's place among the workers that run orchestrations and takes its share of the
   * partitions (see {@link Partitions}); tells the others when it joined or found workers gone, so
   * that they recompute theirs at once. Does nothing for a worker that runs no orchestrations (a
   * client): it owns no partitions and must not be counted.
   */
  void heartbeat() {
    if (runsOrchestrations) {
      beat();
    }
  }

  private void beat() {
    long now = clock.millis();
    try {
      Partitions.Heartbeat beat =
          database.inTransaction(
              db -> {
                Partitions.Heartbeat b = partitions.beat(db, now, now + leaseDuration.toMillis());
                if (b.joined() || b.othersLeft()) {
                  notifyMembershipChange(db);
                }
                return b;
              });
      if (beat.changed()) {
        signals.orchestrationWork(); // work in partitions new to this worker may be waiting
      }
    } catch (FermataException e) {
      logUnavailable(e);
    }
  }

  Integer[] ownedPartitions() {
    return partitions.owned();
  }

  /** Leaves the workers dividing the partitions; the others take this worker's share at once. */
  void leave(Connection db) throws SQLException {
    if (runsOrchestrations) {
      partitions.leave(db);
      notifyMembershipChange(db);
    }
  }

  private void notifyMembershipChange(Connection db) throws SQLException {
    try (PreparedStatement notify = db.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, channel);
      notify.setString(2, workerId + " " + Notices.WORKERS);
      notify.execute();
    }
  }

  /** Whether an instance a client creates now should start on this worker; see above. */
  boolean takesNewInstance(String name) {
    return runsOrchestrations
        && !signals.isClosed()
        && claimed.size() < LOCAL_START_LIMIT
        && (scope == null || scope.takesInstance(name));
  }

  /** An instance created locked for this worker: its orchestration threads take it next. */
  void offerNewInstance(OrchestrationWorkItem item) {
    hold(item);
    claimed.add(item);
    signals.localOrchestrationWork();
  }

  /** Waits for one kind of work; see the class description. */
  private <T> Optional<T> await(Kind<T> kind, Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (!signals.isClosed()) {
      long seen = kind.signals().getAsLong();
      long sleep = pollingMillis;
      try {
        Optional<T> item = kind.takeHeld().get();
        if (item.isPresent()) {
          return item;
        }
        long shared = kind.sharedSignals().getAsLong();
        if (kind.looks().worthLooking(shared, clock.millis())) {
          item = kind.claim().get();
          if (item.isPresent()) {
            return item;
          }
          sleep = kind.untilDue().getAsLong();
          kind.looks().foundNothing(shared, clock.millis() + sleep);
        } else {
          sleep = kind.looks().millisUntilDue(clock.millis());
        }
      } catch (FermataException e) {
        if (signals.isClosed()) {
          return Optional.empty(); // closed while looking
        }
        if (kind.corruptRowsThrow() && e instanceof CorruptRecordException) {
          throw e; // the row is held back; the caller hears which instance cannot be read
        }
        logUnavailable(e);
      }
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return Optional.empty();
      }
      kind.await().await(seen, Math.max(1, Math.min(sleep, left)));
    }
    return Optional.empty();
  }

  /** Waits up to {@code millis} for a signal of work after {@code seen}. */
  private interface SignalWait {
    void await(long seen, long millis) throws InterruptedException;
  }

  /**
   * One kind of work, as waiters find it: first what this worker holds in memory ({@code takeHeld},
   * no database call), then in the database ({@code claim}) when that may find something new
   * ({@code looks}); when nothing is found, they sleep until the earliest due time {@code dueQuery}
   * knows of, or a signal.
   */
  private record Kind<T>(
      LongSupplier signals,
      LongSupplier sharedSignals,
      SignalWait await,
      Supplier<Optional<T>> takeHeld,
      Supplier<Optional<T>> claim,
      LongSupplier untilDue,
      boolean corruptRowsThrow,
      Looks looks) {}

  /**
   * When looking in the database for one kind of work may find something new: after a signal of
   * shared work, or once the earliest due time known (or the polling interval) has come. Work this
   * worker holds in memory needs no look, so its wake-ups cost no statement.
   */
  private static final class Looks {
    private long sharedSeen = -1;
    private long dueAtMillis;

    synchronized boolean worthLooking(long shared, long nowMillis) {
      return shared != sharedSeen || nowMillis >= dueAtMillis;
    }

    /** A look that started at signal count {@code shared} found nothing before {@code dueAt}. */
    synchronized void foundNothing(long shared, long dueAtMillis) {
      this.sharedSeen = shared;
      this.dueAtMillis = dueAtMillis;
    }

    synchronized long millisUntilDue(long nowMillis) {
      return Math.max(1, dueAtMillis - nowMillis);
    }
  }

  /** A kept instance whose held results are ready, or one claimed earlier; no database call. */
  private Optional<OrchestrationWorkItem> takeHeldInstance() {
    OrchestrationWorkItem ready = localSteps.nextReady();
    if (ready != null) {
      hold(ready);
      return Optional.of(ready);
    }
    return Optional.ofNullable(claimed.poll());
  }

  /**
   * What one claim statement took: work items, instances that turned out to have nothing visible
   * (their messages were consumed meanwhile) and instances whose rows cannot be read.
   */
  private record Claim(
      List<OrchestrationWorkItem> items,
      List<String> empty,
      List<String> corruptIds,
      CorruptRecordException corrupt,
      int takeovers) {}

  /** Claims a batch of instances and returns the first; empty if there is no work. */
  private Optional<OrchestrationWorkItem> claimInstance() {
    long now = clock.millis();
    Map<String, Long> own = localSteps.beginClaim();
    Claim claim;
    try {
      claim = database.autoCommit(db -> claimInstances(db, now, own));
    } catch (RuntimeException e) {
      localSteps.claimed(own.keySet(), List.of());
      throw e;
    }
    takeovers.instances().add(claim.takeovers());
    List<OrchestrationWorkItem> items = withHeldResults(own.keySet(), claim.items());
    for (OrchestrationWorkItem item : items) {
      hold(item);
    }
    claimed.addAll(items);
    List<String> empty = claim.empty().stream().filter(id -> !own.containsKey(id)).toList();
    if (!empty.isEmpty() || !claim.corruptIds().isEmpty()) {
      // After the claim, not in its retried unit: a retry must not claim again what is held above.
      database.autoCommit(
          db -> {
            release(db, empty, null);
            // Rows that cannot be read are held back for a lease's length, so other work goes on.
            release(db, claim.corruptIds(), now + leaseDuration.toMillis());
            return null;
          });
    }
    if (claim.corrupt() != null) {
      throw claim.corrupt(); // the others are handed out by the next calls
    }
    return Optional.ofNullable(claimed.poll());
  }

  /** Claimed items of instances this worker keeps get their held results as messages too. */
  private List<OrchestrationWorkItem> withHeldResults(
      Collection<String> own, List<OrchestrationWorkItem> items) {
    List<String> taken =
        items.stream().map(item -> item.instance().instanceId()).filter(own::contains).toList();
    Map<String, List<InboxMessage>> held = localSteps.claimed(own, taken);
    if (held.isEmpty()) {
      return items;
    }
    List<OrchestrationWorkItem> merged = new ArrayList<>(items.size());
    for (OrchestrationWorkItem item : items) {
      List<InboxMessage> results = held.get(item.instance().instanceId());
      if (results == null || results.isEmpty()) {
        merged.add(item);
      } else {
        List<InboxMessage> messages = new ArrayList<>(item.messages());
        messages.addAll(results);
        merged.add(
            new OrchestrationWorkItem(
                item.instance(), messages, item.lockToken(), item.historyKnownEmpty()));
      }
    }
    return merged;
  }

  private void hold(OrchestrationWorkItem item) {
    leases.holdInstance(
        item.instance().instanceId(),
        item.lockToken(),
        item.messages().stream().map(InboxMessage::id).toList());
  }

  /** Tasks a checkpoint locked for this worker: its activity threads take them next. */
  void offerLocalTasks(List<ActivityWorkItem> items) {
    if (items.isEmpty()) {
      return;
    }
    for (ActivityWorkItem item : items) {
      leases.holdTask(item.id(), item.lockToken());
    }
    claimedTasks.addAll(items);
    signals.localActivityWork();
  }

  /** True once this worker's activity threads have asked for work. */
  boolean runsActivities() {
    return runsActivities;
  }

  private Claim claimInstances(Connection db, long now, Map<String, Long> own) throws SQLException {
    List<OrchestrationWorkItem> items = new ArrayList<>();
    Map<String, InstanceRecord> rows = new LinkedHashMap<>();
    Map<String, Long> tokens = new HashMap<>();
    Set<String> historyEmpty = new HashSet<>();
    Map<String, List<InboxMessage>> messages = new HashMap<>();
    List<String> corruptIds = new ArrayList<>();
    CorruptRecordException corrupt = null;
    int takeovers = 0;
    try (PreparedStatement claim = db.prepareStatement(CLAIM_INSTANCES)) {
      Array ownTokens = db.createArrayOf("bigint", own.values().toArray());
      claim.setLong(1, now);
      claim.setLong(2, now);
      claim.setString(3, workerId);
      claim.setArray(4, ownTokens);
      claim.setArray(5, db.createArrayOf("integer", partitions.owned()));
      claim.setLong(6, now - Partitions.STEAL_AFTER_MILLIS);
      claim.setString(7, workerId);
      claim.setArray(8, ownTokens);
      claim.setBoolean(9, scope == null || scope.anyName());
      claim.setArray(10, db.createArrayOf("text", names(scope, WorkScope::instanceNames)));
      claim.setString(11, workerId);
      claim.setArray(12, ownTokens);
      claim.setInt(13, CLAIM_BATCH);
      claim.setString(14, workerId);
      claim.setLong(15, now + leaseDuration.toMillis());
      claim.setString(16, workerId);
      claim.setArray(17, ownTokens);
      claim.setLong(18, now);
      try (ResultSet row = claim.executeQuery()) {
        while (row.next()) {
          String id = row.getString("instance_id");
          try {
            if (row.getString("kind").equals("i")) {
              tokens.put(id, row.getLong("lock_token"));
              if (takenFromAnother(row.getString("was_locked_by"))) {
                takeovers++;
              }
              if (row.getBoolean("history_empty")) {
                historyEmpty.add(id);
              }
              rows.put(id, Rows.instance(row));
            } else {
              messages.computeIfAbsent(id, k -> new ArrayList<>()).add(Rows.inboxMessage(row, 1));
            }
          } catch (CorruptRecordException e) {
            corruptIds.add(id);
            corrupt = e;
          }
        }
      }
    }
    List<String> empty = new ArrayList<>();
    for (Map.Entry<String, InstanceRecord> row : rows.entrySet()) {
      String id = row.getKey();
      List<InboxMessage> visible = messages.get(id);
      if (corruptIds.contains(id)) {
        continue;
      }
      if (visible == null) {
        empty.add(id);
        continue;
      }
      visible.sort(Comparator.comparingLong(InboxMessage::id));
      items.add(
          new OrchestrationWorkItem(
              row.getValue(), visible, tokens.get(id), historyEmpty.contains(id)));
    }
    return new Claim(items, empty, corruptIds, corrupt, takeovers);
  }

  private static void release(Connection db, List<String> instanceIds, Long holdUntil)
      throws SQLException {
    if (instanceIds.isEmpty()) {
      return;
    }
    try (PreparedStatement update = db.prepareStatement(RELEASE)) {
      if (holdUntil == null) {
        update.setNull(1, Types.BIGINT);
      } else {
        update.setLong(1, holdUntil);
      }
      update.setArray(2, db.createArrayOf("text", instanceIds.toArray()));
      update.executeUpdate();
    }
  }

  // ---- activities ----

  Optional<ActivityWorkItem> nextActivity(Duration maxWait) throws InterruptedException {
    runsActivities = true;
    activityWaiters.incrementAndGet();
    try {
      return await(tasks, maxWait);
    } finally {
      activityWaiters.decrementAndGet();
    }
  }

  /** Claims one task per waiting thread and returns the first; empty if none. */
  private Optional<ActivityWorkItem> claimTask() {
    long now = clock.millis();
    int limit = Math.clamp(activityWaiters.get(), 1, TASK_CLAIM_BATCH);
    TaskClaim claim = database.autoCommit(db -> claimTasks(db, now, limit));
    takeovers.tasks().add(claim.takeovers());
    List<ActivityWorkItem> items = claim.items();
    for (ActivityWorkItem item : items) {
      leases.holdTask(item.id(), item.lockToken());
    }
    claimedTasks.addAll(items);
    if (items.size() > 1) {
      signals.localActivityWork(); // the other waiting threads take the rest
    }
    return Optional.ofNullable(claimedTasks.poll());
  }

  /** The tasks one claim took, and how many of them were another worker's expired leases. */
  private record TaskClaim(List<ActivityWorkItem> items, int takeovers) {}

  private TaskClaim claimTasks(Connection db, long now, int limit) throws SQLException {
    List<ActivityWorkItem> items = new ArrayList<>();
    int takeovers = 0;
    try (PreparedStatement claim = db.prepareStatement(CLAIM_TASKS)) {
      claim.setLong(1, now);
      claim.setBoolean(2, scope == null || scope.anyName());
      claim.setArray(3, db.createArrayOf("text", names(scope, WorkScope::activityNames)));
      claim.setInt(4, limit);
      claim.setString(5, workerId);
      claim.setLong(6, now + leaseDuration.toMillis());
      try (ResultSet row = claim.executeQuery()) {
        while (row.next()) {
          items.add(
              new ActivityWorkItem(
                  row.getLong("id"),
                  Rows.task(row),
                  row.getInt("delivery_count") - 1,
                  row.getLong("lock_token")));
          if (takenFromAnother(row.getString("was_locked_by"))) {
            takeovers++;
          }
        }
      }
    }
    items.sort(Comparator.comparingLong(ActivityWorkItem::id)); // oldest first
    return new TaskClaim(items, takeovers);
  }

  // ---- waiting ----

  /** Sets a due-time query's parameters for the time {@code now}. */
  private interface DueParameters {
    void set(PreparedStatement select, long now) throws SQLException;
  }

  /** Milliseconds until an instance of this worker's may have work; see the queries. */
  private long untilInstanceDue() {
    Integer[] owned = partitions.owned();
    if (owned.length == Partitions.COUNT) {
      return untilDue(
          NEXT_INSTANCE_DUE,
          (select, now) -> {
            select.setLong(1, now);
            select.setLong(2, now);
          });
    }
    return untilDue(
        NEXT_PARTITIONED_INSTANCE_DUE,
        (select, now) -> {
          Array mine = select.getConnection().createArrayOf("integer", owned);
          select.setLong(1, now);
          select.setArray(2, mine);
          select.setLong(3, now - Partitions.STEAL_AFTER_MILLIS);
          select.setArray(4, mine);
          select.setLong(5, now);
        });
  }

  /**
   * Milliseconds until the earliest due time {@code query} finds, capped by the polling interval.
   */
  private long untilDue(String query, DueParameters parameters) {
    long now = clock.millis();
    Long due =
        database.autoCommit(
            db -> {
              try (PreparedStatement select = db.prepareStatement(query)) {
                parameters.set(select, now);
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
    storageFailures.warn(
        "Cannot look for work, will retry",
        e instanceof StoreUnavailableException unavailable
            ? unavailable
            : new StoreUnavailableException(e.getMessage(), e.getCause()));
  }

  /** A lease that was another worker's (and ran out): a takeover, not a release. */
  private boolean takenFromAnother(String wasLockedBy) {
    return wasLockedBy != null && !wasLockedBy.equals(workerId);
  }

  private static Object[] names(WorkScope scope, Function<WorkScope, Set<String>> names) {
    return scope == null ? new Object[0] : names.apply(scope).toArray();
  }

  private static String prefixed(String prefix, String columns) {
    return prefix + columns.replace(", ", ", " + prefix);
  }
}
