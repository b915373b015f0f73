package dev.fermata.postgres;

import static dev.fermata.storetest.CheckpointBuilder.episode;
import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static dev.fermata.storetest.StoreFixtures.raised;
import static dev.fermata.storetest.StoreFixtures.startEvent;
import static dev.fermata.storetest.StoreFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LockLostException;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.storetest.MutableClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker that checkpoints an episode scheduling activities keeps the instance and runs the tasks
 * itself: the tasks are locked for it at once, their results are held in memory and recorded by the
 * next checkpoint, messages from elsewhere still reach the instance through its holder, and a
 * result whose task was taken over is never recorded.
 */
class LocalStepsTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration NOTHING = Duration.ofMillis(200);

  /** Long in clock time: no lease runs out, and no renewal happens, while a test runs. */
  private static final Duration LEASE = Duration.ofMinutes(10);

  private static TestPostgres postgres;
  private static int hubs;
  private final MutableClock clock = new MutableClock(T0);
  private final List<PostgresStore> stores = new ArrayList<>();
  private String hub;
  private PostgresStore owner;
  private PostgresStore other;

  @BeforeAll
  static void createDatabase() {
    postgres = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    postgres.close();
  }

  @BeforeEach
  void startWorkers() throws InterruptedException {
    hub = "local" + ++hubs;
    owner = worker();
    other = worker();
    // Only a worker whose activity threads ask for work locks tasks for itself.
    assertThat(owner.nextActivity(Duration.ofMillis(1))).isEmpty();
  }

  @AfterEach
  void closeStores() {
    stores.forEach(PostgresStore::close);
  }

  @Test
  void theTasksOfACheckpoint_runOnItsWorker_andTheirResultsAreRecordedByOneCheckpoint()
      throws Exception {
    started("a");
    ActivityWorkItem work = owner.nextActivity(WAIT).orElseThrow();
    assertThat(work.task().name()).isEqualTo("Work");
    assertThat(work.deliveryCount()).as("deliveries before this one").isZero();
    assertThat(other.nextActivity(NOTHING)).as("locked for its worker").isEmpty();
    assertThat(lockedBy("instances", "instance_id = 'a'")).containsExactly(owner.workerId());

    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), 0, "\"done\"");
    owner.completeActivity(work, result).join();
    assertThat(count("inbox", "instance_id = 'a'")).as("the result is held, not written").isZero();
    OrchestrationWorkItem next = owner.nextOrchestration(WAIT).orElseThrow();
    assertThat(next.messages()).extracting(InboxMessage::event).containsExactly(result);
    HistoryEvent started = new HistoryEvent.OrchestratorStarted(clock.instant());
    owner
        .checkpoint(
            episode(next, 2)
                .events(started, result)
                .status(OrchestrationStatus.COMPLETED, clock.instant())
                .build())
        .join();

    assertThat(owner.getHistory("a")).endsWith(started, result);
    assertThat(count("tasks", "instance_id = 'a'")).as("the task, deleted with it").isZero();
    assertThat(lockedBy("instances", "instance_id = 'a'")).as("released when done").hasSize(1);
    assertThat(lockedBy("instances", "instance_id = 'a'").get(0)).isNull();
  }

  @Test
  void aMessageForAKeptInstance_isClaimedByItsHolder_withItsLockToken() throws Exception {
    started("b");
    OrchestrationWorkItem first = lastItem;
    owner.nextActivity(WAIT).orElseThrow(); // running: the instance is kept meanwhile

    other.sendMessage(
        NewMessage.now("b", raised("go", clock.instant())),
        EnumSet.allOf(OrchestrationStatus.class));

    assertThat(other.nextOrchestration(NOTHING)).as("kept by its holder").isEmpty();
    OrchestrationWorkItem next = owner.nextOrchestration(WAIT).orElseThrow();
    assertThat(next.lockToken()).isEqualTo(first.lockToken());
    assertThat(next.messages())
        .extracting(m -> m.event().eventType())
        .containsExactly(raised("go", T0).eventType());
  }

  @Test
  void aHeldResultWhoseTaskWasTakenOver_isNotRecorded_andTheInstanceIsReleased() throws Exception {
    started("c");
    ActivityWorkItem work = owner.nextActivity(WAIT).orElseThrow();
    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), 0, "\"stale\"");
    owner.completeActivity(work, result).join();
    OrchestrationWorkItem next = owner.nextOrchestration(WAIT).orElseThrow();
    // Another worker takes the task over, as when this worker's lease ran out unrenewed.
    execute(
        "UPDATE tasks SET locked_by = 'someone else', lock_token = nextval('lock_tokens')"
            + " WHERE instance_id = 'c'");

    Throwable refused =
        catchThrowable(
            () ->
                owner
                    .checkpoint(
                        episode(next, 2)
                            .events(new HistoryEvent.OrchestratorStarted(clock.instant()), result)
                            .status(OrchestrationStatus.COMPLETED, clock.instant())
                            .build())
                    .join());

    assertThat(refused).isInstanceOf(CompletionException.class);
    assertThat(refused.getCause()).isInstanceOf(LockLostException.class);
    assertThat(owner.getHistory("c")).doesNotContain(result);
    assertThat(count("inbox", "instance_id = 'c'")).as("the stale result, dropped").isZero();
    assertThat(lockedBy("instances", "instance_id = 'c'").get(0))
        .as("released at once, not when its lease runs out")
        .isNull();
  }

  @Test
  void closingAWorker_writesTheResultsItHolds_forAnyWorkerToRecord() throws Exception {
    started("d");
    ActivityWorkItem work = owner.nextActivity(WAIT).orElseThrow();
    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), 0, "\"kept\"");
    owner.completeActivity(work, result).join();

    owner.close();

    OrchestrationWorkItem next = other.nextOrchestration(WAIT).orElseThrow();
    assertThat(next.messages()).extracting(InboxMessage::event).containsExactly(result);
    assertThat(next.messages().get(0).id()).as("an inbox row").isPositive();
  }

  @Test
  void anInstanceCreatedOnAWorkerRunningOrchestrations_startsThere_withNoClaim() throws Exception {
    assertThat(owner.nextOrchestration(Duration.ofMillis(1))).as("its threads ask").isEmpty();
    InstanceRecord record = pendingRecord("n", "Flow", T0);

    owner.createInstance(newInstance(record));

    assertThat(lockedBy("instances", "instance_id = 'n'")).containsExactly(owner.workerId());
    assertThat(other.nextOrchestration(NOTHING)).as("locked for its creator").isEmpty();
    OrchestrationWorkItem first = owner.nextOrchestration(WAIT).orElseThrow();
    assertThat(first.historyKnownEmpty()).as("nothing to read").isTrue();
    assertThat(first.messages())
        .extracting(InboxMessage::event)
        .containsExactly(startEvent(record));
    assertThat(first.messages().get(0).deliveryCount()).as("deliveries before this one").isZero();
    assertThat(count("inbox", "instance_id = 'n' AND delivery_count = 1"))
        .as("this delivery counted, as a claim counts it")
        .isEqualTo(1);
  }

  @Test
  void anInstanceStartedOnAWorkerThatStops_isTakenOverWhenItsLeaseRunsOut() throws Exception {
    assertThat(owner.nextOrchestration(Duration.ofMillis(1))).isEmpty();
    InstanceRecord record = pendingRecord("m", "Flow", T0);
    owner.createInstance(newInstance(record));
    clock.advance(LEASE.plusSeconds(1)); // as if its worker had died: the lease runs out

    OrchestrationWorkItem taken = other.nextOrchestration(WAIT).orElseThrow();

    assertThat(taken.instance().instanceId()).isEqualTo("m");
    assertThat(taken.historyKnownEmpty()).as("no history yet, as the claim read").isTrue();
    assertThat(taken.messages())
        .extracting(InboxMessage::event)
        .containsExactly(startEvent(record));
    assertThat(taken.messages().get(0).deliveryCount()).as("the first delivery counted").isOne();
  }

  @Test
  void aLocallyLockedTaskDeliveredAgain_countsItsDeliveries_andIsDeadLetteredWithItsFailureSent()
      throws Exception {
    started("e");
    ActivityWorkItem first = owner.nextActivity(WAIT).orElseThrow();
    assertThat(first.deliveryCount()).as("counted when the checkpoint locked it").isZero();
    owner.abandonActivity(first);
    ActivityWorkItem again = owner.nextActivity(WAIT).orElseThrow();
    assertThat(again.deliveryCount()).isEqualTo(1);
    FailureDetails failure =
        new FailureDetails("dev.fermata.PoisonMessageException", "given up", null, null, true);

    owner.deadLetterActivity(again, failure).join();

    assertThat(count("tasks", "instance_id = 'e'")).isZero();
    assertThat(owner.nextOrchestration(WAIT).orElseThrow().messages())
        .extracting(InboxMessage::event)
        .containsExactly(new HistoryEvent.TaskFailed(clock.instant(), 0, failure));
    assertThat(other.deadLetters("e", 0, 10))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.kind()).isEqualTo(DeadLetter.Kind.ACTIVITY);
              assertThat(d.sourceId()).isEqualTo(again.id());
              assertThat(d.deliveryCount()).isEqualTo(2);
              assertThat(d.reason()).isEqualTo("given up");
            });
  }

  // ---- helpers ----

  private OrchestrationWorkItem lastItem;

  /** Creates an instance whose first episode, on {@code owner}, schedules one task. */
  private InstanceRecord started(String id) throws InterruptedException {
    InstanceRecord record = pendingRecord(id, "Flow", T0);
    owner.createInstance(newInstance(record));
    lastItem = owner.nextOrchestration(WAIT).orElseThrow();
    owner
        .checkpoint(
            episode(lastItem, 0)
                .events(new HistoryEvent.OrchestratorStarted(T0), startEvent(record))
                .task(task(record, 0, "Work"))
                .status(OrchestrationStatus.RUNNING, T0)
                .build())
        .join();
    return record;
  }

  private PostgresStore worker() {
    PostgresStore store = PostgresStore.open(postgres.options(hub).leaseDuration(LEASE).build());
    store.start(clock);
    stores.add(store);
    return store;
  }

  private String table(String name) {
    return owner.options().schemaName() + "." + name;
  }

  private List<String> lockedBy(String name, String where) throws SQLException {
    List<String> owners = new ArrayList<>();
    try (Connection db = postgres.connect();
        Statement select = db.createStatement();
        ResultSet rows =
            select.executeQuery("SELECT locked_by FROM " + table(name) + " WHERE " + where)) {
      while (rows.next()) {
        owners.add(rows.getString(1));
      }
    }
    return owners;
  }

  private int count(String name, String where) throws SQLException {
    try (Connection db = postgres.connect();
        Statement select = db.createStatement();
        ResultSet row =
            select.executeQuery("SELECT count(*) FROM " + table(name) + " WHERE " + where)) {
      row.next();
      return row.getInt(1);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection db = postgres.connect();
        Statement statement = db.createStatement()) {
      statement.execute("SET search_path TO " + owner.options().schemaName());
      statement.execute(sql);
    }
  }
}
