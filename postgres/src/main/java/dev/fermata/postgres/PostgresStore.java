package dev.fermata.postgres;

import dev.fermata.FailureDetails;
import dev.fermata.FermataException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.HeldResult;
import dev.fermata.jdbc.Statements;
import dev.fermata.jdbc.StoreReads;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.HistoryMovedOnException;
import dev.fermata.spi.InstanceChangeListener;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.PageToken;
import dev.fermata.spi.StoreClosedException;
import dev.fermata.spi.StoreFailureLog;
import dev.fermata.spi.StoreRules;
import dev.fermata.spi.StoreUnavailableException;
import dev.fermata.spi.WorkBacklog;
import dev.fermata.spi.WorkScope;
import dev.fermata.spi.WorkerStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scale-out {@link DurableStore}: one PostgreSQL database shared by any number of worker
 * processes.
 *
 * <pre>{@code
 * DurableStore store = PostgresStore.open(
 *     PostgresOptions.builder("jdbc:postgresql://db:5432/fermata").user("fermata").build());
 * }</pre>
 *
 * <p><b>Task hubs.</b> Each hub has its own schema, {@code fermata_<hub>}, created and migrated at
 * start under an advisory lock, so several workers may start at once and several hubs may share a
 * database without seeing each other's instances.
 *
 * <p><b>Leases and fencing.</b> A worker claims an instance with visible messages, or an activity
 * task, with {@code FOR UPDATE SKIP LOCKED}, writing its worker id, a lease end and a fresh lock
 * token from a sequence. While the episode or activity runs the lease is renewed every third of
 * {@link PostgresOptions#leaseDuration()}; if the worker dies, another takes the work over once the
 * lease has run out, with a new token. A checkpoint is applied only if the instance is still locked
 * with its token and its first new event is where the stored history ends; otherwise it is refused
 * with a {@link dev.fermata.spi.StaleLockException} and nothing of it is applied. So an instance
 * has one owner at a time, and a worker that lost its lease (or whose cached history is behind) can
 * never record a step.
 *
 * <p><b>Steps on one worker.</b> A checkpoint that schedules activities locks the new tasks for its
 * own worker (up to {@link LocalSteps#LOCAL_TASK_LIMIT} unfinished at once; the rest go to the
 * shared queue) and keeps the instance's lease; the results are held in memory and recorded by the
 * instance's next checkpoint, which that worker runs. An activity step then costs one transaction.
 * Results are recorded only if their tasks are still locked for the worker, so a task taken over
 * after its lease ran out is never recorded twice; a crash loses only held results, whose tasks run
 * again elsewhere once their leases run out. See {@link LocalSteps}.
 *
 * <p><b>Wake-ups.</b> Every commit that enqueues work or changes an instance row sends a {@code
 * NOTIFY} on the hub's channel; each worker listens on a dedicated connection. A worker also looks
 * by itself when the earliest timer, retry delay or lease it knows of falls due, and at least every
 * {@link PostgresOptions#maxQueuePollingInterval()}.
 *
 * <p>Times (timers, leases) come from the workers' clocks, which must agree to well within a lease.
 * Checkpoints and activity results are written synchronously on the calling thread; the returned
 * futures are complete when the methods return.
 */
public final class PostgresStore implements DurableStore {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
  private static final int PURGE_BATCH = 256;

  private final PostgresOptions options;
  private final StoreFailureLog storageFailures = new StoreFailureLog(LOG);
  private final String workerId = UUID.randomUUID().toString();
  private final List<InstanceChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final Object lifecycle = new Object();
  private volatile Running running;
  private volatile boolean closed;

  /** The work this worker claims, or null for all; see {@link #scopeWork}. */
  private volatile WorkScope scope;

  private final LeaseTakeovers takeovers = new LeaseTakeovers();

  private record Running(
      InstantSource clock,
      Database database,
      Signals signals,
      Leases leases,
      LocalSteps localSteps,
      StoreRules rules,
      PostgresTransaction.Context writes,
      WorkHandOut handOut,
      NotificationListener listener,
      ScheduledExecutorService renewer) {}

  /** A write that follows the store rules, in one transaction. */
  private interface RuleWrite<T> {
    T run(StoreRules rules, PostgresTransaction tx);
  }

  private PostgresStore(PostgresOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** A store with the given options. Nothing is opened until {@link #start}. */
  public static PostgresStore open(PostgresOptions options) {
    return new PostgresStore(options);
  }

  public PostgresOptions options() {
    return options;
  }

  /** This worker's id, written into the locks it holds (for diagnostics). */
  public String workerId() {
    return workerId;
  }

  /**
   * Claims only the instances and tasks of {@code scope}'s names (and those this worker already
   * holds), and starts only those of its clients' new instances here: the rest are left to the
   * workers that can run them. Must be called before {@link #start}.
   */
  @Override
  public boolean scopeWork(WorkScope scope) {
    synchronized (lifecycle) {
      if (running != null) {
        throw new IllegalStateException("scopeWork must be called before start");
      }
      this.scope = Objects.requireNonNull(scope, "scope");
    }
    return true;
  }

  /**
   * Counts the leases this worker took over from others ({@code fermata.store.lease.takeovers}).
   */
  @Override
  public void registerMetrics(MeterRegistry registry) {
    takeovers.register(registry);
  }

  @Override
  public void workScopeChanged() {
    Running r = running;
    if (r != null) {
      r.signals().orchestrationWork();
      r.signals().activityWork();
    }
  }

  /**
   * Connects, creates or migrates the hub's schema, and starts listening and renewing leases. A
   * store starts once; to connect again after {@link #close}, make a new store.
   *
   * @throws FermataException if the database cannot be reached or has a newer schema
   */
  @Override
  public void start(InstantSource clock) {
    Objects.requireNonNull(clock, "clock");
    synchronized (lifecycle) {
      if (closed || running != null) {
        throw new IllegalStateException("a PostgresStore can be started once");
      }
      running = connect(clock);
    }
  }

  private Running connect(InstantSource clock) {
    Database database = null;
    NotificationListener listener = null;
    ScheduledExecutorService renewer = null;
    try {
      database = new Database(options);
      Migrations.apply(database, options.schemaName(), clock.millis());
      Signals signals = new Signals();
      Leases leases = new Leases();
      LocalSteps localSteps = new LocalSteps();
      Partitions partitions = new Partitions(workerId);
      WorkHandOut handOut =
          new WorkHandOut(
              database,
              clock,
              leases,
              localSteps,
              signals,
              partitions,
              workerId,
              options,
              scope,
              takeovers);
      renewer =
          Executors.newSingleThreadScheduledExecutor(
              r -> Thread.ofPlatform().name("fermata-lease-renewer").daemon(true).unstarted(r));
      listener =
          new NotificationListener(
              database,
              options.schemaName(),
              workerId,
              signals,
              this::notifyListeners,
              partitions,
              heartbeatSoon(renewer, handOut));
      listener.start();
      var writes =
          new PostgresTransaction.Context(
              clock,
              leases,
              localSteps,
              options.schemaName(),
              workerId,
              options.leaseDuration(),
              scope);
      Running r =
          new Running(
              clock,
              database,
              signals,
              leases,
              localSteps,
              new StoreRules(clock),
              writes,
              handOut,
              listener,
              renewer);
      long period = Math.max(1, options.leaseDuration().toMillis() / 3);
      renewer.scheduleWithFixedDelay(() -> renew(r), period, period, TimeUnit.MILLISECONDS);
      return r;
    } catch (SQLException | RuntimeException e) {
      if (renewer != null) {
        renewer.shutdownNow();
      }
      if (listener != null) {
        listener.close();
      }
      if (database != null) {
        database.close();
      }
      if (e instanceof FermataException fermata) {
        throw fermata;
      }
      throw new FermataException(
          "cannot open the PostgreSQL store " + options + ": " + e.getMessage(), e);
    }
  }

  /**
   * A heartbeat on the renewer's thread as soon as it is free: workers joined or left, so this one
   * recomputes its partitions (never on the listener's thread, which must keep reading).
   */
  private static Runnable heartbeatSoon(ScheduledExecutorService renewer, WorkHandOut handOut) {
    return () -> {
      try {
        renewer.execute(handOut::heartbeat);
      } catch (RejectedExecutionException closing) {
        // the store is closing: nothing to recompute
      }
    };
  }

  private void renew(Running r) {
    r.handOut().heartbeat();
    if (r.leases().heldCount() == 0) {
      return;
    }
    try {
      long until = r.clock().millis() + options.leaseDuration().toMillis();
      r.database()
          .autoCommit(
              db -> {
                r.leases().renew(db, workerId, until);
                return null;
              });
    } catch (StoreUnavailableException e) {
      storageFailures.warn("Could not renew leases; will retry", e);
      return;
    } catch (RuntimeException e) {
      LOG.warn("Could not renew leases; will retry: {}", e.getMessage());
      return;
    }
    // Kept instances whose lease another worker took over: their held results become ordinary
    // results (refused if the tasks were taken over too).
    r.localSteps()
        .keptInstances()
        .forEach(
            (id, token) -> {
              if (!r.leases().holdsInstance(id, token)) {
                writeHeldResults(r, r.localSteps().drop(id, token));
              }
            });
  }

  /**
   * Writes results held for instances this worker no longer keeps as ordinary results, as their
   * completion would have without {@link LocalSteps}; a result whose task lock was lost meanwhile
   * is dropped (the task ran again, or runs again, elsewhere).
   */
  private void writeHeldResults(Running r, List<HeldResult> held) {
    for (HeldResult result : held) {
      try {
        writeResult(r, result.item(), result.result());
      } catch (RuntimeException e) {
        LOG.debug("Held result of task {} not written: {}", result.item().id(), e.getMessage());
      } finally {
        r.leases().forgetTask(result.item().id(), result.item().lockToken());
      }
    }
  }

  /**
   * Stops dispatch and lease renewal, gives back the locks this worker still holds (so that other
   * workers need not wait for their leases to run out), and closes the connections.
   */
  @Override
  public void close() {
    Running r;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      r = running;
    }
    if (r == null) {
      return;
    }
    r.signals().close();
    r.renewer().shutdownNow();
    r.listener().close();
    writeHeldResults(r, r.localSteps().dropAll());
    try {
      r.database()
          .inTransaction(
              db -> {
                for (String table : List.of("instances", "tasks")) {
                  try (PreparedStatement release =
                      db.prepareStatement(
                          "UPDATE "
                              + table
                              + " SET locked_by = NULL, locked_until = NULL WHERE locked_by = ?")) {
                    release.setString(1, workerId);
                    release.executeUpdate();
                  }
                }
                r.handOut().leave(db);
                return null;
              });
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not give back this worker's locks; their leases will run out: {}", e.getMessage());
    }
    r.database().close();
  }

  // ---- client side ----

  @Override
  public boolean createInstance(NewInstance request) {
    Objects.requireNonNull(request, "request");
    Running r = running();
    boolean startHere = r.handOut().takesNewInstance(request.record().name());
    PostgresTransaction[] last = new PostgresTransaction[1];
    boolean created =
        write(
            r,
            (rules, tx) -> {
              last[0] = tx;
              if (startHere) {
                tx.startHere();
              }
              return rules.createInstance(tx, request);
            });
    OrchestrationWorkItem started = last[0].startedHere();
    if (started != null) {
      r.handOut().offerNewInstance(started);
    }
    return created;
  }

  @Override
  public Optional<OrchestrationStatus> sendMessage(
      NewMessage message, Set<OrchestrationStatus> acceptedStatuses) {
    Objects.requireNonNull(message, "message");
    Set<OrchestrationStatus> accepted = Set.copyOf(acceptedStatuses);
    Running r = running();
    return write(r, (rules, tx) -> rules.sendMessage(tx, message, accepted));
  }

  @Override
  public Optional<InstanceRecord> getInstance(String instanceId) {
    return running()
        .database()
        .autoCommit(db -> StoreReads.instance(Statements.of(db), instanceId));
  }

  @Override
  public List<HistoryEvent> getHistory(String instanceId) {
    return running().database().autoCommit(db -> StoreReads.history(Statements.of(db), instanceId));
  }

  @Override
  public Set<Integer> openTaskIds(String instanceId, String executionId) {
    return running()
        .database()
        .autoCommit(db -> StoreReads.openTaskIds(Statements.of(db), instanceId, executionId));
  }

  @Override
  public InstancePage queryInstances(
      InstanceFilter filter, boolean newestFirst, int pageSize, String continuationToken) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be at least 1, was " + pageSize);
    }
    PageToken after =
        continuationToken == null
            ? null
            : PageToken.decode(continuationToken, PostgresDialect.PAGE_TOKEN_TAG);
    return running()
        .database()
        .autoCommit(
            db ->
                StoreReads.query(
                    Statements.of(db),
                    PostgresDialect.INSTANCE,
                    filter,
                    newestFirst,
                    pageSize,
                    after));
  }

  @Override
  public Map<OrchestrationStatus, Long> countInstances(InstanceFilter filter) {
    return running()
        .database()
        .autoCommit(
            db -> StoreReads.countByStatus(Statements.of(db), PostgresDialect.INSTANCE, filter));
  }

  @Override
  public boolean purgeInstance(String instanceId) {
    Running r = running();
    return write(r, (rules, tx) -> rules.purge(tx, instanceId));
  }

  /** Purges in batches of {@value #PURGE_BATCH}, one transaction each. */
  @Override
  public int purgeInstances(InstanceFilter filter, int limit) {
    StoreRules.requirePurgeLimit(limit);
    Running r = running();
    int total = 0;
    int batch;
    int purged;
    do {
      batch = Math.min(PURGE_BATCH, limit - total);
      int size = batch;
      purged = write(r, (rules, tx) -> rules.purgeBatch(tx, filter, size));
      total += purged;
    } while (purged == batch && total < limit);
    return total;
  }

  // ---- dead letters ----

  @Override
  public Optional<WorkBacklog> backlog() {
    Running r = running();
    return Optional.of(
        r.database().autoCommit(db -> StoreReads.backlog(Statements.of(db), r.clock().instant())));
  }

  @Override
  public List<WorkerStatus> workers() {
    Running r = running();
    long now = r.clock().millis();
    return r.database()
        .autoCommit(
            db -> {
              try (PreparedStatement select =
                  db.prepareStatement(
                      "SELECT w.worker_id, w.alive_until,"
                          + " (SELECT count(*) FROM instances i"
                          + " WHERE i.locked_by = w.worker_id AND i.locked_until > ?),"
                          + " (SELECT count(*) FROM tasks t"
                          + " WHERE t.locked_by = w.worker_id AND t.locked_until > ?)"
                          + " FROM workers w WHERE w.alive_until > ? ORDER BY w.worker_id")) {
                select.setLong(1, now);
                select.setLong(2, now);
                select.setLong(3, now);
                List<WorkerStatus> workers = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                  while (row.next()) {
                    String id = row.getString(1);
                    workers.add(
                        new WorkerStatus(
                            id,
                            Instant.ofEpochMilli(row.getLong(2)),
                            row.getLong(3),
                            row.getLong(4),
                            id.equals(workerId)));
                  }
                }
                return workers;
              }
            });
  }

  @Override
  public List<DeadLetter> deadLetters(String instanceId, long afterId, int limit) {
    StoreRules.requireLimit(limit);
    return running()
        .database()
        .autoCommit(db -> StoreReads.deadLetters(Statements.of(db), instanceId, afterId, limit));
  }

  @Override
  public Optional<DeadLetter> redriveDeadLetter(long deadLetterId) {
    return write(running(), (rules, tx) -> rules.redrive(tx, deadLetterId));
  }

  @Override
  public void addInstanceChangeListener(InstanceChangeListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // ---- orchestration workers ----

  @Override
  public Optional<OrchestrationWorkItem> nextOrchestration(Duration maxWait)
      throws InterruptedException {
    return running().handOut().nextOrchestration(maxWait);
  }

  @Override
  public CompletableFuture<Void> checkpoint(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Running r;
    try {
      r = running();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<Long> recorded = recordedTasks(checkpoint);
    LocalSteps.Plan plan = plan(r, checkpoint, recorded.size());
    PostgresTransaction[] last = new PostgresTransaction[1];
    long sharedWorkBefore = r.signals().sharedOrchestrationCount();
    boolean applied = false;
    boolean kept = false;
    try {
      HistoryMovedOnException refusal =
          write(
              r,
              (rules, tx) -> {
                last[0] = tx;
                tx.fence(recorded);
                if (plan.keep()) {
                  tx.keep(
                      new PostgresTransaction.Keep(
                          checkpoint.instanceId(), checkpoint.lockToken(), plan.localTasks()));
                }
                return rules.checkpoint(tx, checkpoint);
              });
      if (refusal != null) {
        return CompletableFuture.failedFuture(refusal);
      }
      applied = true;
      lookAgainIfWorkCameMeanwhile(r, sharedWorkBefore);
      kept = last[0].kept();
      if (kept) {
        List<ActivityWorkItem> local = last[0].lockedForSelf();
        // The lease first: once kept, the instance may be handed out again at once.
        r.leases().holdInstance(checkpoint.instanceId(), checkpoint.lockToken(), List.of());
        r.localSteps()
            .kept(
                checkpoint.instanceId(),
                checkpoint.lockToken(),
                checkpoint.instance(),
                local.size(),
                recorded);
        r.handOut().offerLocalTasks(local);
      }
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      // An applied checkpoint deleted the tasks of the results it recorded.
      List<Long> deleted = applied ? recorded : List.of();
      deleted.forEach(taskId -> r.leases().forgetTask(taskId, checkpoint.lockToken()));
      if (!kept) {
        // The episode is over and the instance not kept: its lease must not be renewed any
        // longer, and the results held for it that this checkpoint did not record (all of them if
        // it was not applied) go to its inbox.
        r.leases().forgetInstance(checkpoint.instanceId(), checkpoint.lockToken());
        boolean wasKept = r.localSteps().isKept(checkpoint.instanceId(), checkpoint.lockToken());
        List<HeldResult> held =
            r.localSteps().drop(checkpoint.instanceId(), checkpoint.lockToken()).stream()
                .filter(h -> !deleted.contains(h.item().id()))
                .toList();
        writeHeldResults(r, held);
        if (wasKept && !applied) {
          // Refused, perhaps for a task taken over: dispatch the instance again now rather than
          // when its lease runs out (nothing happens if the lock is not this worker's any more).
          releaseQuietly(r, checkpoint.instanceId(), checkpoint.lockToken());
        }
      }
    }
  }

  private void releaseQuietly(Running r, String instanceId, long token) {
    try {
      write(
          r,
          (rules, tx) -> {
            tx.release(instanceId, token, null);
            return null;
          });
    } catch (RuntimeException e) {
      LOG.debug("Could not release {}; its lease will run out: {}", instanceId, e.getMessage());
    }
  }

  /** Whether a checkpoint keeps its instance locked for this worker; see {@link LocalSteps}. */
  private static LocalSteps.Plan plan(Running r, Checkpoint checkpoint, int recordedResults) {
    return r.localSteps()
        .plan(
            checkpoint.instanceId(),
            checkpoint.lockToken(),
            checkpoint.newTasks().size(),
            recordedResults,
            checkpoint.instance().status().isTerminal(),
            r.handOut().runsActivities());
  }

  /** The tasks whose held results a checkpoint records (consumed messages with held ids). */
  private static List<Long> recordedTasks(Checkpoint checkpoint) {
    return checkpoint.consumedMessageIds().stream()
        .filter(HeldResult::isHeldResult)
        .map(HeldResult::taskId)
        .toList();
  }

  @Override
  public void abandonOrchestration(OrchestrationWorkItem item, Duration retryDelay) {
    abandon(item, (rules, tx) -> rules.abandonOrchestration(tx, item, retryDelay));
  }

  @Override
  public void abandonOrchestrationAfterStoreFailure(
      OrchestrationWorkItem item, Duration retryDelay) {
    abandon(item, (rules, tx) -> rules.abandonAfterStoreFailure(tx, item, retryDelay));
  }

  private interface Abandon {
    void run(StoreRules rules, PostgresTransaction tx);
  }

  private void abandon(OrchestrationWorkItem item, Abandon abandon) {
    Running r = running();
    try {
      write(
          r,
          (rules, tx) -> {
            abandon.run(rules, tx);
            return null;
          });
    } finally {
      r.leases().forgetInstance(item.instance().instanceId(), item.lockToken());
      writeHeldResults(r, r.localSteps().drop(item.instance().instanceId(), item.lockToken()));
    }
  }

  // ---- activity workers ----

  @Override
  public Optional<ActivityWorkItem> nextActivity(Duration maxWait) throws InterruptedException {
    return running().handOut().nextActivity(maxWait);
  }

  @Override
  public CompletableFuture<Void> completeActivity(ActivityWorkItem item, HistoryEvent result) {
    Running r;
    try {
      r = running();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    try {
      StoreRules.requireActivityResult(result);
      if (r.localSteps().hold(item, result, r.clock().instant())) {
        // Recorded by the instance's next checkpoint, which this worker runs; the task stays
        // locked (and its lease renewed) until then.
        r.signals().localOrchestrationWork();
        return CompletableFuture.completedFuture(null);
      }
      writeResult(r, item, result);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * A checkpoint asks whether its instance has a visible message before it commits, and announces
   * work only if so. A message that commits after that question (its sender's row lock does not
   * conflict with the checkpoint's) is announced by its sender, but a look for work started on that
   * announcement may come while the checkpoint still holds the row, skip it, and find nothing; the
   * announcement is then spent and the message would wait for the polling interval or the next
   * lease to run out. So if shared work was announced while the checkpoint ran, this worker looks
   * once more after the commit (no database call, no notice).
   */
  private static void lookAgainIfWorkCameMeanwhile(Running r, long sharedWorkBefore) {
    if (r.signals().sharedOrchestrationCount() != sharedWorkBefore) {
      r.signals().orchestrationWork();
    }
  }

  /** Deletes the task and sends its result to the instance's inbox, durably. */
  private void writeResult(Running r, ActivityWorkItem item, HistoryEvent result) {
    try {
      // One statement, so no transaction around it: one round trip.
      Notices notices =
          r.database()
              .autoCommit(
                  db -> {
                    PostgresTransaction tx = new PostgresTransaction(db, r.writes());
                    r.rules().completeActivity(tx, item, result);
                    return tx.finish();
                  });
      actOnCommitted(r, notices);
    } finally {
      r.leases().forgetTask(item.id(), item.lockToken());
    }
  }

  @Override
  public void abandonActivity(ActivityWorkItem item) {
    release(item, (rules, tx) -> rules.abandonActivity(tx, item));
  }

  @Override
  public void giveBackActivity(ActivityWorkItem item) {
    release(item, (rules, tx) -> rules.giveBackActivity(tx, item));
  }

  private void release(ActivityWorkItem item, BiConsumer<StoreRules, PostgresTransaction> release) {
    Running r = running();
    try {
      write(
          r,
          (rules, tx) -> {
            release.accept(rules, tx);
            return null;
          });
    } finally {
      r.leases().forgetTask(item.id(), item.lockToken());
      r.localSteps().taskEnded(item); // its instance, if kept, hears of it through its inbox
    }
  }

  @Override
  public CompletableFuture<Void> deadLetterActivity(ActivityWorkItem item, FailureDetails failure) {
    Running r;
    try {
      r = running();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    try {
      write(
          r,
          (rules, tx) -> {
            rules.deadLetterActivity(tx, item, failure);
            return null;
          });
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      r.leases().forgetTask(item.id(), item.lockToken());
      r.localSteps().taskEnded(item); // its instance, if kept, hears of it through its inbox
    }
  }

  // ---- plumbing ----

  /**
   * Runs a write transaction, sends its notices with it, and acts on them locally once committed.
   */
  private <T> T write(Running r, RuleWrite<T> work) {
    Notices[] committed = new Notices[1];
    T result =
        r.database()
            .inTransaction(
                db -> {
                  // Afresh if the transaction is retried.
                  PostgresTransaction tx = new PostgresTransaction(db, r.writes());
                  T value = work.run(r.rules(), tx);
                  committed[0] = tx.finish();
                  return value;
                });
    actOnCommitted(r, committed[0]);
    return result;
  }

  /** Wakes this worker's own waiters for what a committed transaction noticed. */
  private void actOnCommitted(Running r, Notices notices) {
    if (notices.hasOrchestrationWork()) {
      r.signals().orchestrationWork();
    }
    if (notices.hasActivityWork()) {
      r.signals().activityWork();
    }
    notices
        .changedInstances()
        .forEach(
            (id, status) -> {
              InstanceRecord row = notices.changedRow(id);
              if (row != null) {
                notifyListeners(id, listener -> listener.changed(row));
              } else {
                notifyListeners(id, status);
              }
            });
  }

  /** The partitions this worker owns now (for tests). */
  Integer[] ownedPartitions() {
    return running().handOut().ownedPartitions();
  }

  /** Notices of orchestration work from other workers that woke this one (for tests). */
  long orchestrationNoticesTaken() {
    return running().listener().orchestrationNoticesTaken();
  }

  private Running running() {
    Running r = running;
    if (closed) {
      throw new StoreClosedException(
          "the PostgreSQL store of hub '" + options.hubName() + "' is closed");
    }
    if (r == null) {
      throw new IllegalStateException("the store is not started: call start(clock) first");
    }
    return r;
  }

  private void notifyListeners(String instanceId, OrchestrationStatus status) {
    notifyListeners(instanceId, listener -> listener.changed(instanceId, status));
  }

  private void notifyListeners(String instanceId, Consumer<InstanceChangeListener> call) {
    for (InstanceChangeListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        LOG.warn("instance-change listener failed for '{}'", instanceId, e);
      }
    }
  }
}
