package dev.fermata.sqlite;

import dev.fermata.FailureDetails;
import dev.fermata.FermataException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.HeldResult;
import dev.fermata.jdbc.StoreReads;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InstanceChangeListener;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LocalDispatcher;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.PageToken;
import dev.fermata.spi.StoreClosedException;
import dev.fermata.spi.StoreRules;
import dev.fermata.spi.StoreUnavailableException;
import dev.fermata.spi.VirtualTimeDispatch;
import dev.fermata.spi.WorkBacklog;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default {@link DurableStore}: one SQLite database file, for one process.
 *
 * <pre>{@code
 * DurableStore store = SqliteStore.open(Path.of("fermata-data/fermata.db"));
 * }</pre>
 *
 * <p><b>Durability.</b> The database runs in WAL mode with {@code synchronous=FULL} unless {@link
 * SqliteOptions} say otherwise: a write is reported done only once it survives a power loss.
 *
 * <p><b>Threads.</b> A single writer thread applies every write with group commit: all the writes
 * queued while one transaction commits go into the next one, each under its own savepoint, so one
 * fsync covers many checkpoints and a failing write fails alone. Futures returned by {@link
 * #checkpoint} and {@link #completeActivity} complete on that thread, so code chained to them must
 * be quick. Reads use a small pool of read-only connections and never wait for the writer.
 *
 * <p><b>Dispatch.</b> Locks and wake-ups live in memory ({@link LocalDispatcher}); a crash releases
 * every lock, and {@link #start} signals every instance with inbox messages (future ones as timers)
 * and queues every activity task again. A delivery is counted in the database when work is handed
 * out, so work that crashed the process shows up with a higher delivery count.
 *
 * <p><b>One write per activity step.</b> An activity's result is not written when the activity
 * finishes: the store holds it in memory (up to {@link SqliteOptions#maxHeldResults()} results, and
 * 16 MiB of them) and hands it to the instance's next episode, whose checkpoint appends it to the
 * history and deletes the task in one transaction. A crash before that checkpoint loses only the
 * held result; the task is still stored, so it runs again at the next start (activities are
 * at-least-once), and nothing that was recorded is recorded twice. {@link #close} writes held
 * results to the inbox.
 *
 * <p><b>One store per file.</b> From {@link #start} to {@link #close}, the store holds an exclusive
 * operating-system lock on {@code <database>.lock} beside the database, which names the holder
 * (pid, host, start time). A second store on the same file, in another process or in this one, is
 * refused at start with a {@link FermataException} naming the file and the holder: with locks and
 * wake-ups in memory, two stores would each hand out the same work. The lock dies with its process,
 * so a file left by a killed process blocks nothing. In-memory databases take no lock.
 *
 * <p><b>Missing file.</b> A database file that does not exist is created empty at start, unless its
 * {@code -wal} or {@code -shm} file is still beside it: the file was then most likely moved or
 * deleted by mistake, and start is refused rather than losing what the journal refers to. Restore
 * the file, or delete the leftover files to start empty.
 *
 * <p>The schema is created and migrated at start from versioned files; a database written by a
 * newer schema is refused.
 */
public final class SqliteStore implements DurableStore, VirtualTimeDispatch {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
  private static final int PURGE_BATCH = 256;
  private static final DistributionSummary NO_METER =
      DistributionSummary.builder("fermata.store.commit.batch")
          .register(new CompositeMeterRegistry()); // records nothing

  private final SqliteOptions options;
  private final List<InstanceChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final Object lifecycle = new Object();
  private volatile Running running;
  // Writes per commit, once the engine gives its registry; until then recorded nowhere.
  private volatile DistributionSummary commitBatches = NO_METER;
  private volatile boolean closed;

  private record Running(
      InstantSource clock,
      LocalDispatcher<QueuedTask> dispatcher,
      ReaderPool readers,
      GroupCommitWriter writer,
      StoreRules rules,
      SqliteTransaction.Context writes,
      WorkHandOut handOut,
      OwnerLock owner,
      Opened opened) {

    /** A write that follows the store rules, in the writer's transaction. */
    <T> GroupCommitWriter.Operation<T> write(EventJson json, RuleWrite<T> write) {
      return (db, ctx) -> write.run(rules, new SqliteTransaction(db, ctx, writes, json));
    }
  }

  /**
   * What {@link #start} opened, for logs and banners.
   *
   * @param path the database file, absolute (an in-memory database's name as given)
   * @param created whether the file did not exist and was created empty at start
   * @param instances the instances stored at start (orchestrations and entities together)
   */
  public record Opened(Path path, boolean created, long instances) {
    /** {@code created} or {@code opened (N instances)}. */
    public String describe() {
      return created
          ? "created"
          : "opened (" + instances + (instances == 1 ? " instance)" : " instances)");
    }

    @Override
    public String toString() {
      return path + " " + describe();
    }
  }

  private interface RuleWrite<T> {
    T run(StoreRules rules, SqliteTransaction tx);
  }

  private SqliteStore(SqliteOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * A store for the database file at {@code path}, with the default options; see {@link #start}.
   */
  public static SqliteStore open(Path path) {
    return new SqliteStore(SqliteOptions.defaults(path));
  }

  /** A store with the given options. Nothing is opened until {@link #start}. */
  public static SqliteStore open(SqliteOptions options) {
    return new SqliteStore(options);
  }

  public SqliteOptions options() {
    return options;
  }

  /**
   * What {@link #start} opened: the absolute path, whether the file was created, and how many
   * instances it held; empty before start.
   */
  public Optional<Opened> opened() {
    Running r = running;
    return r == null ? Optional.empty() : Optional.of(r.opened());
  }

  /** Transactions committed since start: each is one group-commit batch (for metrics). */
  public long committedTransactionCount() {
    Running r = running;
    return r == null ? 0 : r.writer().commitCount();
  }

  /** Writes waiting for the writer thread (for metrics). */
  public int queuedWriteCount() {
    Running r = running;
    return r == null ? 0 : r.writer().queuedCount();
  }

  /**
   * Creates the parent directories and the database if missing, takes the file for this store (see
   * the class description), migrates the schema, recovers dispatch state and starts the writer. A
   * store starts once; to open the file again after {@link #close}, make a new store with {@link
   * #open(SqliteOptions) open(options())}.
   *
   * <p>Logs one line naming the absolute path and whether the file was created or opened, with its
   * instance count; {@link #opened()} says the same to the host.
   *
   * @throws FermataException if the database cannot be opened or has a newer schema, if another
   *     store, in this process or another, has the file (the message names the file and, when
   *     known, the holder's pid and host), or if the file is missing while its {@code -wal} or
   *     {@code -shm} file remains beside it (nothing is created or deleted then)
   */
  @Override
  public void start(InstantSource clock) {
    Objects.requireNonNull(clock, "clock");
    synchronized (lifecycle) {
      if (closed || running != null) {
        throw new IllegalStateException("a SqliteStore can be started once");
      }
      running = openDatabase(clock);
    }
  }

  private Running openDatabase(InstantSource clock) {
    OwnerLock owner = null;
    SqlConnection writerDb = null;
    ReaderPool readers = null;
    try {
      Path parent = options.path().toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      boolean inMemory = OwnerLock.isInMemory(options.path());
      Path shown = inMemory ? options.path() : options.path().toAbsolutePath();
      boolean created = inMemory;
      if (!inMemory) {
        owner = OwnerLock.acquire(options.path());
        created = !Files.exists(options.path());
        if (created) {
          refuseLeftoverJournal(shown);
        }
      }
      writerDb = SqlConnection.open(options, false);
      String journal = writerDb.queryText("PRAGMA journal_mode = WAL");
      if (!"wal".equalsIgnoreCase(journal)) {
        throw new FermataException(
            "SQLite refused WAL mode for " + options.path() + " (journal_mode=" + journal + ")");
      }
      Migrations.apply(writerDb, options.path().toString(), clock.millis());
      readers = new ReaderPool(options);
      Opened opened = new Opened(shown, created, countInstances(readers));
      LOG.info("SQLite store {}", opened);
      LocalDispatcher<QueuedTask> dispatcher = new LocalDispatcher<>(clock);
      long storedBeforeStart = recover(readers, dispatcher);
      Locks locks = new Locks();
      PendingResults pending = new PendingResults(options.maxHeldResults());
      HandOutsFromMemory fromMemory = new HandOutsFromMemory();
      var writes =
          new SqliteTransaction.Context(dispatcher, locks, pending, fromMemory, toListeners());
      GroupCommitWriter writer =
          new GroupCommitWriter(writerDb, size -> commitBatches.record(size));
      WorkHandOut handOut =
          new WorkHandOut(
              clock,
              dispatcher,
              locks,
              pending,
              fromMemory,
              readers,
              writer,
              storedBeforeStart,
              () -> closed);
      return new Running(
          clock,
          dispatcher,
          readers,
          writer,
          new StoreRules(clock),
          writes,
          handOut,
          owner,
          opened);
    } catch (SQLException | IOException | RuntimeException e) {
      if (readers != null) {
        readers.close();
      }
      if (writerDb != null) {
        writerDb.close();
      }
      if (owner != null) {
        owner.close();
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new FermataException(
          "cannot open the SQLite store at " + options.path() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses to create a missing database beside its {@code -wal} or {@code -shm} file: the file was
   * most likely moved or deleted by mistake, and starting on a new file would lose its data (and
   * leave SQLite to make what it can of a journal written for another file).
   */
  private static void refuseLeftoverJournal(Path database) {
    List<Path> leftovers = new ArrayList<>();
    for (String suffix : List.of("-wal", "-shm")) {
      Path file = database.resolveSibling(database.getFileName() + suffix);
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        leftovers.add(file);
      }
    }
    if (!leftovers.isEmpty()) {
      throw new FermataException(
          "The SQLite database file "
              + database
              + " is missing, but "
              + (leftovers.size() == 1 ? "its journal file " : "its journal files ")
              + leftovers.stream().map(Path::toString).collect(Collectors.joining(" and "))
              + (leftovers.size() == 1 ? " remains" : " remain")
              + ": creating it empty would lose the data. Restore the database file, or delete the"
              + " -wal and -shm files to start with an empty store. Nothing was deleted.");
    }
  }

  private static long countInstances(ReaderPool readers) {
    return readers.read(
        db -> {
          String n = db.queryText("SELECT count(*) FROM instances");
          return n == null ? 0L : Long.parseLong(n);
        });
  }

  /**
   * Makes the stored work dispatchable again (no lock survives a restart); returns the highest
   * inbox message id stored before this start.
   */
  private static long recover(ReaderPool readers, LocalDispatcher<QueuedTask> dispatcher) {
    return readers.read(
        db -> {
          Tables.forEachInboxTime(db, dispatcher::signalInstance);
          Tables.forEachTaskId(db, id -> dispatcher.signalActivity(QueuedTask.stored(id)));
          String last = db.queryText("SELECT coalesce(max(id), 0) FROM inbox");
          return Long.parseLong(last);
        });
  }

  /** Stops dispatch, commits every queued write, and closes the database. */
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
    if (r != null) {
      r.dispatcher().close();
      writeHeldResults(r);
      r.writer().close();
      r.readers().close();
      if (r.owner() != null) {
        r.owner().close(); // last: the file is ours until every connection is closed
      }
    }
  }

  /** Deletes the task and puts its result into the inbox, in one write. */
  private static CompletableFuture<Void> writeResult(
      Running r, ActivityWorkItem item, HistoryEvent result, EventJson json) {
    return r.writer()
        .submit(
            r.write(
                json,
                (rules, tx) -> {
                  rules.completeActivity(tx, item, result);
                  return null;
                }));
  }

  /**
   * Writes the activity results still held in memory into the inbox, as durable completions: a
   * graceful close keeps them, so their activities do not run again at the next start.
   */
  private static void writeHeldResults(Running r) {
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (HeldResult held : r.writes().pending().drain()) {
      writes.add(writeResult(r, held.item(), held.result(), EventJson.INLINE));
    }
    for (CompletableFuture<Void> write : writes) {
      try {
        write.join();
      } catch (RuntimeException e) { // the task runs again at the next start
        LOG.warn("An activity result held in memory could not be written at close", e);
      }
    }
  }

  // ---- client side ----

  @Override
  public boolean createInstance(NewInstance request) {
    Objects.requireNonNull(request, "request");
    Running r = running();
    return r.writer()
        .submitAndWait(r.write(EventJson.INLINE, (rules, tx) -> rules.createInstance(tx, request)));
  }

  @Override
  public Optional<OrchestrationStatus> sendMessage(
      NewMessage message, Set<OrchestrationStatus> acceptedStatuses) {
    Objects.requireNonNull(message, "message");
    Set<OrchestrationStatus> accepted = Set.copyOf(acceptedStatuses);
    Running r = running();
    return r.writer()
        .submitAndWait(
            r.write(EventJson.INLINE, (rules, tx) -> rules.sendMessage(tx, message, accepted)));
  }

  @Override
  public Optional<InstanceRecord> getInstance(String instanceId) {
    return running().readers().read(db -> StoreReads.instance(db, instanceId));
  }

  @Override
  public List<HistoryEvent> getHistory(String instanceId) {
    return running().readers().read(db -> StoreReads.history(db, instanceId));
  }

  @Override
  public Set<Integer> openTaskIds(String instanceId, String executionId) {
    return running().readers().read(db -> StoreReads.openTaskIds(db, instanceId, executionId));
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
            : PageToken.decode(continuationToken, SqliteDialect.PAGE_TOKEN_TAG);
    return running()
        .readers()
        .read(
            db ->
                StoreReads.query(db, SqliteDialect.INSTANCE, filter, newestFirst, pageSize, after));
  }

  @Override
  public Map<OrchestrationStatus, Long> countInstances(InstanceFilter filter) {
    return running()
        .readers()
        .read(db -> StoreReads.countByStatus(db, SqliteDialect.INSTANCE, filter));
  }

  @Override
  public boolean purgeInstance(String instanceId) {
    Running r = running();
    return r.writer()
        .submitAndWait(r.write(EventJson.INLINE, (rules, tx) -> rules.purge(tx, instanceId)));
  }

  /** Purges in batches of {@value #PURGE_BATCH}, one write each, so other writes go in between. */
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
      purged =
          r.writer()
              .submitAndWait(
                  r.write(EventJson.INLINE, (rules, tx) -> rules.purgeBatch(tx, filter, size)));
      total += purged;
    } while (purged == batch && total < limit);
    return total;
  }

  // ---- dead letters ----

  @Override
  public Optional<WorkBacklog> backlog() {
    Running r = running();
    return Optional.of(r.readers().read(db -> StoreReads.backlog(db, r.clock().instant())));
  }

  /**
   * Records how many writes each commit carries ({@code fermata.store.commit.batch}): the group
   * commit's batch size, one fsync for all of them.
   */
  @Override
  public void registerMetrics(MeterRegistry registry) {
    commitBatches =
        DistributionSummary.builder("fermata.store.commit.batch")
            .description("Writes (checkpoints, results, starts) committed together, one fsync")
            .baseUnit("writes")
            .register(registry);
  }

  // ---- for a test kit that moves a virtual clock ----

  /**
   * Whether the workers have work now or out, and if not, when the earliest timer falls due. Work
   * passes between the writer (a write queued or committing), the dispatcher (an instance ready or
   * locked, a task queued) and the tasks table (a task's row lives from the checkpoint that
   * scheduled it until the one that records its result, while its activity runs or its result is
   * held); each handover out of the table or the writer is a write. So the three looks, taken
   * between two readings of the writer that see no write in flight and none finished, are one
   * consistent view; if a write came between them, the store is busy.
   */
  @Override
  public LocalDispatcher.Backlog dispatchBacklog() {
    Running r = running();
    LocalDispatcher.Backlog busy = new LocalDispatcher.Backlog(true, null);
    long settled = r.writer().settledCount();
    if (r.writer().outstandingCount() > 0) {
      return busy;
    }
    LocalDispatcher.Backlog dispatch = r.dispatcher().backlog();
    boolean tasks = !dispatch.busy() && r.readers().read(Tables::anyTask);
    boolean writtenMeanwhile =
        r.writer().outstandingCount() > 0 || r.writer().settledCount() != settled;
    return dispatch.busy() || tasks || writtenMeanwhile ? busy : dispatch;
  }

  /** Write batches finished so far: {@link #awaitWrite} waits for the next. */
  @Override
  public long writeCount() {
    return running().writer().settledCount();
  }

  @Override
  public boolean awaitWrite(long seen, Duration maxWait) throws InterruptedException {
    return running().writer().awaitSettled(seen, maxWait);
  }

  @Override
  public void clockMoved() {
    running().dispatcher().wakeAll();
  }

  @Override
  public List<DeadLetter> deadLetters(String instanceId, long afterId, int limit) {
    StoreRules.requireLimit(limit);
    return running().readers().read(db -> StoreReads.deadLetters(db, instanceId, afterId, limit));
  }

  @Override
  public Optional<DeadLetter> redriveDeadLetter(long deadLetterId) {
    Running r = running();
    return r.writer()
        .submitAndWait(r.write(EventJson.INLINE, (rules, tx) -> rules.redrive(tx, deadLetterId)));
  }

  @Override
  public void addInstanceChangeListener(InstanceChangeListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // ---- orchestration workers ----

  /**
   * {@inheritDoc}
   *
   * @throws dev.fermata.spi.CorruptRecordException naming the row, if the instance or one of its
   *     visible messages cannot be read
   */
  @Override
  public Optional<OrchestrationWorkItem> nextOrchestration(Duration maxWait)
      throws InterruptedException {
    return running().handOut().nextOrchestration(maxWait);
  }

  @Override
  public CompletableFuture<Void> checkpoint(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    try {
      Running r = running();
      List<HistoryEvent> events = new ArrayList<>(checkpoint.newEvents());
      checkpoint.newMessages().forEach(m -> events.add(m.event()));
      EventJson json = EventJson.encodeNow(events);
      return r.writer()
          .submit(r.write(json, (rules, tx) -> rules.checkpoint(tx, checkpoint)))
          .thenCompose(
              refusal ->
                  refusal == null
                      ? CompletableFuture.completedFuture(null)
                      : CompletableFuture.failedFuture(refusal));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void abandonOrchestration(OrchestrationWorkItem item, Duration retryDelay) {
    abandon(item, retryDelay, (rules, tx) -> rules.abandonOrchestration(tx, item, retryDelay));
  }

  @Override
  public void abandonOrchestrationAfterStoreFailure(
      OrchestrationWorkItem item, Duration retryDelay) {
    abandon(item, retryDelay, (rules, tx) -> rules.abandonAfterStoreFailure(tx, item, retryDelay));
  }

  /** A rules write with no result. */
  private interface VoidWrite {
    void run(StoreRules rules, SqliteTransaction tx);
  }

  /** Runs a rules write with no result and waits for its commit. */
  private static void writeAndWait(Running r, VoidWrite write) {
    r.writer()
        .submitAndWait(
            r.write(
                EventJson.INLINE,
                (rules, tx) -> {
                  write.run(rules, tx);
                  return null;
                }));
  }

  /**
   * Unlocks the instance through the writer; if the store cannot write, unlocks it in memory all
   * the same (locks live there): otherwise the instance would stay locked, never retried, until a
   * restart.
   */
  private void abandon(OrchestrationWorkItem item, Duration retryDelay, VoidWrite abandon) {
    Running r = running();
    try {
      writeAndWait(r, abandon);
    } catch (StoreUnavailableException e) {
      String id = item.instance().instanceId();
      r.writes().locks().forgetHandOut(id, item.lockToken());
      r.dispatcher().release(id, item.lockToken(), true, retryDelay);
      throw e;
    }
  }

  // ---- activity workers ----

  @Override
  public Optional<ActivityWorkItem> nextActivity(Duration maxWait) throws InterruptedException {
    return running().handOut().nextActivity(maxWait);
  }

  @Override
  public CompletableFuture<Void> completeActivity(ActivityWorkItem item, HistoryEvent result) {
    try {
      StoreRules.requireActivityResult(result);
      Running r = running();
      // Held in memory until the instance's next checkpoint records it (see PendingResults), or
      // written now if it is large or too many are held. The task stays locked meanwhile, so it is
      // not handed
      // out again.
      if (!r.writes().locks().holdsTask(item.id(), item.lockToken())) {
        return CompletableFuture.failedFuture(StoreRules.taskLockLost(item));
      }
      return switch (r.writes().pending().add(item, result, r.clock().instant())) {
        case HELD -> {
          r.dispatcher().signalInstance(item.task().instanceId(), null);
          yield CompletableFuture.completedFuture(null);
        }
        case DUPLICATE -> CompletableFuture.failedFuture(StoreRules.taskLockLost(item));
        case FULL -> writeResult(r, item, result, EventJson.encodeNow(List.of(result)));
      };
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
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

  private void release(ActivityWorkItem item, VoidWrite release) {
    Running r = running();
    try {
      writeAndWait(r, release);
    } catch (StoreUnavailableException e) {
      // As for instances (see abandon): the lock lives in memory, and the task must not stay
      // locked until a restart because the store could not write just now.
      if (r.writes().locks().holdsTask(item.id(), item.lockToken())) {
        r.writes().locks().unlockTask(item.id(), item.lockToken());
        r.dispatcher().signalActivity(QueuedTask.stored(item.id()));
      }
      throw e;
    }
  }

  @Override
  public CompletableFuture<Void> deadLetterActivity(ActivityWorkItem item, FailureDetails failure) {
    try {
      Running r = running();
      return r.writer()
          .submit(
              r.write(
                  EventJson.INLINE,
                  (rules, tx) -> {
                    rules.deadLetterActivity(tx, item, failure);
                    return null;
                  }));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---- plumbing ----

  /** How many instances created here wait for their first hand-out in memory (for tests). */
  /** How many instances will be handed out without a read (for tests and diagnostics). */
  int handOutsFromMemory() {
    return running().writes().fromMemory().size();
  }

  /** The writer connection's value of a PRAGMA, such as {@code synchronous} (for diagnostics). */
  String writerPragma(String name) {
    if (!name.matches("[a-z_]+")) {
      throw new IllegalArgumentException("not a pragma name: " + name);
    }
    Running r = running();
    return r.writer().submitAndWait((db, ctx) -> db.queryText("PRAGMA " + name));
  }

  /**
   * Caps the database at {@code pages} pages on the writer connection ({@code PRAGMA
   * max_page_count}; never below the current size), so that writes which need more fail as on a
   * full disk (for tests); returns the cap in force.
   */
  long limitWriterPages(long pages) {
    Running r = running();
    return Long.parseLong(
        r.writer().submitAndWait((db, ctx) -> db.queryText("PRAGMA max_page_count = " + pages)));
  }

  private Running running() {
    Running r = running;
    if (closed) {
      throw new StoreClosedException("the SQLite store at " + options.path() + " is closed");
    }
    if (r == null) {
      throw new IllegalStateException("the store is not started: call start(clock) first");
    }
    return r;
  }

  /** Passes each committed change on to every listener, with its row when the write has it. */
  private InstanceChangeListener toListeners() {
    return new InstanceChangeListener() {
      @Override
      public void changed(String instanceId, OrchestrationStatus status) {
        notifyListeners(instanceId, listener -> listener.changed(instanceId, status));
      }

      @Override
      public void changed(InstanceRecord row) {
        notifyListeners(row.instanceId(), listener -> listener.changed(row));
      }
    };
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
