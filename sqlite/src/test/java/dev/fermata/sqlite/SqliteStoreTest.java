package dev.fermata.sqlite;

import static dev.fermata.storetest.CheckpointBuilder.episode;
import static dev.fermata.storetest.StoreFixtures.NAME;
import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static dev.fermata.storetest.StoreFixtures.raised;
import static dev.fermata.storetest.StoreFixtures.startEvent;
import static dev.fermata.storetest.StoreFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.FermataException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.CorruptRecordException;
import dev.fermata.spi.DefaultStoreProvider;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.storetest.CheckpointBuilder;
import dev.fermata.storetest.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the SQLite store guarantees beyond the store contract: files, schema, pragmas, damage. */
class SqliteStoreTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);
  private SqliteStore store;

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  private SqliteStore start(SqliteOptions options) {
    store = SqliteStore.open(options);
    store.start(clock);
    return store;
  }

  private SqliteStore start() {
    return start(SqliteOptions.defaults(dir.resolve("fermata.db")));
  }

  private SqliteStore reopen() {
    store.close();
    return start(store.options());
  }

  @Test
  void start_createsMissingParentDirectories() {
    Path file = dir.resolve("a/b/c/fermata.db");

    start(SqliteOptions.defaults(file));

    assertThat(file).exists();
  }

  @Test
  void start_putsTheDatabaseInWalModeWithSynchronousFull() {
    start();

    assertThat(store.writerPragma("journal_mode")).isEqualTo("wal");
    assertThat(store.writerPragma("synchronous")).isEqualTo("2"); // FULL
  }

  @ParameterizedTest
  @EnumSource(SqliteOptions.Synchronous.class)
  void start_appliesTheChosenSynchronousMode(SqliteOptions.Synchronous mode) {
    start(SqliteOptions.builder(dir.resolve("fermata.db")).synchronous(mode).build());

    String expected =
        switch (mode) {
          case OFF -> "0";
          case NORMAL -> "1";
          case FULL -> "2";
        };
    assertThat(store.writerPragma("synchronous")).isEqualTo(expected);
  }

  @Test
  void reopen_doesNotRunMigrationsAgain() throws Exception {
    start();
    store.createInstance(newInstance(pendingRecord("a", NAME, T0)));

    reopen();
    reopen();

    Path file = store.options().path();
    assertThat(RawDb.column(file, "SELECT version FROM schema_version ORDER BY version"))
        .as("each migration recorded once")
        .containsExactlyElementsOf(
            java.util.stream.IntStream.rangeClosed(1, Migrations.latestVersion()).boxed().toList());
    assertThat(store.getInstance("a")).isPresent();
  }

  @Test
  void start_onADatabaseWithANewerSchema_isRefusedWithAClearMessage() throws Exception {
    start();
    store.close();
    Path file = store.options().path();
    RawDb.update(
        file,
        "INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'future', 0)");

    SqliteStore newer = SqliteStore.open(file);
    assertThatThrownBy(() -> newer.start(clock))
        .isInstanceOf(FermataException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("newer");
    newer.close();
  }

  @Test
  void migrationFiles_areAllListedInOrder() throws Exception {
    Path folder =
        Path.of(Migrations.class.getResource("migrations/" + Migrations.FILES.get(0)).toURI())
            .getParent();
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")))
          .containsExactlyInAnyOrderElementsOf(Migrations.FILES);
    }
    assertThat(Migrations.load()).extracting(Migrations.Migration::version).startsWith(1);
  }

  @Test
  void migrationStatements_areSplitAtLineEndSemicolons() {
    assertThat(
            Migrations.statements(
                "-- note; not a statement\nCREATE TABLE a (x);\n\nSELECT 1\n  FROM a;\n"))
        .containsExactly("CREATE TABLE a (x);", "SELECT 1\n  FROM a;");
  }

  @Test
  void reopen_recoversEveryTimerOfAnInstance() throws Exception {
    start();
    store.createInstance(newInstance(pendingRecord("a", NAME, T0)));
    OrchestrationWorkItem item = store.nextOrchestration(WAIT).orElseThrow();
    HistoryEvent first = new HistoryEvent.TimerFired(T0.plusSeconds(10), 1, T0.plusSeconds(10));
    HistoryEvent second = new HistoryEvent.TimerFired(T0.plusSeconds(20), 2, T0.plusSeconds(20));
    store
        .checkpoint(
            episode(item, 0)
                .events(startEvent(item.instance()))
                .message(new NewMessage("a", null, T0.plusSeconds(10), first))
                .message(new NewMessage("a", null, T0.plusSeconds(20), second))
                .build())
        .get(10, TimeUnit.SECONDS);

    reopen();

    assertThat(store.nextOrchestration(Duration.ofMillis(100))).isEmpty();
    clock.set(T0.plusSeconds(10));
    OrchestrationWorkItem atTen = store.nextOrchestration(WAIT).orElseThrow();
    assertThat(atTen.messages()).extracting(InboxMessage::event).containsExactly(first);
    store.checkpoint(episode(atTen, 1).events(first).build()).get(10, TimeUnit.SECONDS);
    clock.set(T0.plusSeconds(20));
    assertThat(store.nextOrchestration(WAIT).orElseThrow().messages())
        .extracting(InboxMessage::event)
        .containsExactly(second);
  }

  // ---- activity results held for the next checkpoint ----

  /** Starts instance "a" and checkpoints a task for it; returns the locked task. */
  private ActivityWorkItem lockedTask() throws Exception {
    store.createInstance(newInstance(pendingRecord("a", NAME, T0)));
    OrchestrationWorkItem item = store.nextOrchestration(WAIT).orElseThrow();
    store
        .checkpoint(
            episode(item, 0)
                .events(startEvent(item.instance()))
                .task(task(item.instance(), 1, "Work"))
                .build())
        .get(10, TimeUnit.SECONDS);
    return store.nextActivity(WAIT).orElseThrow();
  }

  @Test
  void completeActivity_holdsTheResultUntilTheCheckpointThatRecordsIt() throws Exception {
    start();
    ActivityWorkItem work = lockedTask();
    Path file = store.options().path();
    HistoryEvent result = new HistoryEvent.TaskCompleted(T0, 1, "\"done\"");

    store.completeActivity(work, result).get(10, TimeUnit.SECONDS);

    // Not written yet: the task row is still there and no inbox row was added.
    assertThat(RawDb.count(file, "SELECT count(*) FROM tasks")).isEqualTo(1);
    assertThat(RawDb.count(file, "SELECT count(*) FROM inbox")).isZero();
    OrchestrationWorkItem next = store.nextOrchestration(WAIT).orElseThrow();
    assertThat(next.messages()).extracting(InboxMessage::event).containsExactly(result);
    store.checkpoint(episode(next, 1).events(result).build()).get(10, TimeUnit.SECONDS);
    // The checkpoint recorded it and deleted the task, in one transaction.
    assertThat(RawDb.count(file, "SELECT count(*) FROM tasks")).isZero();
    assertThat(store.getHistory("a")).endsWith(result);
    assertThat(store.nextOrchestration(Duration.ofMillis(100))).isEmpty();
  }

  @Test
  void completeActivity_heldResult_isWrittenAtCloseAndDeliveredAfterReopen() throws Exception {
    start();
    ActivityWorkItem work = lockedTask();
    HistoryEvent result = new HistoryEvent.TaskCompleted(T0, 1, "\"done\"");
    store.completeActivity(work, result).get(10, TimeUnit.SECONDS);

    reopen();

    assertThat(store.nextActivity(Duration.ofMillis(100))).as("the task is done").isEmpty();
    assertThat(store.nextOrchestration(WAIT).orElseThrow().messages())
        .extracting(InboxMessage::event)
        .containsExactly(result);
  }

  @Test
  void completeActivity_pastMaxHeldResults_writesTheResultAtOnce() throws Exception {
    start(SqliteOptions.builder(dir.resolve("fermata.db")).maxHeldResults(0).build());
    ActivityWorkItem work = lockedTask();
    Path file = store.options().path();

    store
        .completeActivity(work, new HistoryEvent.TaskCompleted(T0, 1, "1"))
        .get(10, TimeUnit.SECONDS);

    assertThat(RawDb.count(file, "SELECT count(*) FROM tasks")).isZero();
    assertThat(RawDb.count(file, "SELECT count(*) FROM inbox")).isEqualTo(1);
  }

  @Test
  void completeActivity_ofALargeResult_writesItAtOnce() throws Exception {
    start();
    ActivityWorkItem work = lockedTask();
    Path file = store.options().path();
    String large = "\"" + "x".repeat(PendingResults.MAX_HELD_RESULT_CHARS) + "\"";
    HistoryEvent result = new HistoryEvent.TaskCompleted(T0, 1, large);

    store.completeActivity(work, result).get(10, TimeUnit.SECONDS);

    assertThat(RawDb.count(file, "SELECT count(*) FROM tasks")).isZero();
    assertThat(RawDb.count(file, "SELECT count(*) FROM inbox")).isEqualTo(1);
    assertThat(store.nextOrchestration(WAIT).orElseThrow().messages())
        .extracting(InboxMessage::event)
        .containsExactly(result);
  }

  @Test
  void taskHandedOutAgain_hasItsDeliveryCommittedBeforeItMayRun() throws Exception {
    start();
    ActivityWorkItem first = lockedTask();
    assertThat(first.ready()).isCompleted(); // a new task: nothing to wait for
    store.abandonActivity(first);
    long commitsBefore = store.committedTransactionCount();

    ActivityWorkItem again = store.nextActivity(WAIT).orElseThrow();
    again.ready().get(10, TimeUnit.SECONDS);

    // Committed by the time the task may run: a run that kills the process at once still counts
    // (a write left to share a later commit would be lost with the process).
    assertThat(store.committedTransactionCount()).isGreaterThan(commitsBefore);
    assertThat(again.deliveryCount()).isEqualTo(1);
    assertThat(RawDb.column(store.options().path(), "SELECT delivery_count FROM tasks"))
        .containsExactly(2);
  }

  @Test
  void messageStoredBeforeARestart_hasItsDeliveryCommittedBeforeItsEpisodeMayRun()
      throws Exception {
    start();
    store.createInstance(newInstance(pendingRecord("a", NAME, T0)));
    reopen(); // as after a crash: the episode that took it may have killed the process
    long commitsBefore = store.committedTransactionCount();

    OrchestrationWorkItem item = store.nextOrchestration(WAIT).orElseThrow();
    item.ready().get(10, TimeUnit.SECONDS);

    // Committed by the time the episode may run: one that kills the process at once still
    // counts, and so reaches the bound on deliveries after a few restarts.
    assertThat(store.committedTransactionCount()).isGreaterThan(commitsBefore);
    assertThat(item.messages()).extracting(InboxMessage::deliveryCount).containsExactly(0);
    assertThat(RawDb.column(store.options().path(), "SELECT delivery_count FROM inbox"))
        .containsExactly(1);
  }

  @Test
  void heldResult_ofAnEpisodeThatFails_isHandedOutAgainWithItsDeliveryCounted() throws Exception {
    start();
    ActivityWorkItem work = lockedTask();
    store
        .completeActivity(work, new HistoryEvent.TaskCompleted(T0, 1, "1"))
        .get(10, TimeUnit.SECONDS);
    OrchestrationWorkItem failed = store.nextOrchestration(WAIT).orElseThrow();

    store.abandonOrchestration(failed, null);

    OrchestrationWorkItem again = store.nextOrchestration(WAIT).orElseThrow();
    assertThat(again.messages()).extracting(InboxMessage::deliveryCount).containsExactly(1);
  }

  @Test
  void aNewInstance_isHandedOutFromMemory_withItsDeliveryCounted() throws Exception {
    start();
    store.createInstance(newInstance(pendingRecord("a", NAME, T0)));
    assertThat(store.handOutsFromMemory()).isEqualTo(1);

    OrchestrationWorkItem first = store.nextOrchestration(WAIT).orElseThrow();
    assertThat(first.historyKnownEmpty()).as("created here: no history to read").isTrue();
    assertThat(first.messages()).extracting(InboxMessage::deliveryCount).containsExactly(0);
    store.abandonOrchestration(first, null);

    OrchestrationWorkItem again = store.nextOrchestration(WAIT).orElseThrow();
    // Read from the file this time (its count was written at the first hand-out), and still known
    // to have no history: the hand-out's read says so.
    assertThat(again.messages()).extracting(InboxMessage::deliveryCount).containsExactly(1);
    assertThat(again.historyKnownEmpty()).isTrue();
  }

  @Test
  void aNewInstanceWithALargeInput_isReadAtHandOut_notHeldInMemory() throws Exception {
    start();
    String large = "\"" + "x".repeat(HandOutsFromMemory.MAX_HELD_CHARS) + "\"";
    store.createInstance(
        newInstance(pendingRecord("big", NAME, T0).toBuilder().input(large).build()));
    assertThat(store.handOutsFromMemory()).isZero();

    OrchestrationWorkItem first = store.nextOrchestration(WAIT).orElseThrow();

    assertThat(first.instance().input()).as("read from the file").isEqualTo(large);
    assertThat(first.historyKnownEmpty()).isTrue();
  }

  // ---- instances settled by their checkpoint ----

  /**
   * Starts instance "a" and checkpoints it running, with a custom status and a task, at a time
   * finer than the millisecond the file keeps; returns the locked task.
   */
  private ActivityWorkItem runningWithTask(NewMessage... alsoSent) throws Exception {
    store.createInstance(newInstance(pendingRecord("a", NAME, T0)));
    OrchestrationWorkItem item = store.nextOrchestration(WAIT).orElseThrow();
    CheckpointBuilder episode =
        episode(item, 0)
            .events(startEvent(item.instance()))
            .instance(
                item.instance()
                    .withStatus(OrchestrationStatus.RUNNING, T0.plusNanos(1_234_567))
                    .withCustomStatus("\"working\""))
            .task(task(item.instance(), 1, "Work"));
    for (NewMessage message : alsoSent) {
      episode.message(message);
    }
    store.checkpoint(episode.build()).get(10, TimeUnit.SECONDS);
    return store.nextActivity(WAIT).orElseThrow();
  }

  @Test
  void anInstanceItsCheckpointLeftWithNoMessage_isHandedOutWithTheRowAsStored_unread()
      throws Exception {
    start();
    ActivityWorkItem work = runningWithTask();
    assertThat(store.handOutsFromMemory()).as("settled by its checkpoint").isEqualTo(1);
    HistoryEvent result = new HistoryEvent.TaskCompleted(T0, 1, "\"done\"");
    store.completeActivity(work, result).get(10, TimeUnit.SECONDS);

    OrchestrationWorkItem next = store.nextOrchestration(WAIT).orElseThrow();

    assertThat(store.handOutsFromMemory()).as("taken by the hand-out, not read").isZero();
    assertThat(next.instance()).isEqualTo(store.getInstance("a").orElseThrow());
    assertThat(next.instance().customStatus()).isEqualTo("\"working\"");
    assertThat(next.messages()).extracting(InboxMessage::event).containsExactly(result);
    assertThat(next.historyKnownEmpty()).isFalse();
    store.checkpoint(episode(next, 1).events(result).build()).get(10, TimeUnit.SECONDS);
    assertThat(store.getHistory("a")).endsWith(result);
  }

  @Test
  void aMessageAfterTheCheckpoint_makesTheNextHandOutReadTheInbox() throws Exception {
    start();
    ActivityWorkItem work = runningWithTask();
    HistoryEvent event = raised("Go", T0);
    store.sendMessage(NewMessage.now("a", event), Set.of(OrchestrationStatus.RUNNING));
    assertThat(store.handOutsFromMemory()).isZero();
    HistoryEvent result = new HistoryEvent.TaskCompleted(T0, 1, "\"done\"");
    store.completeActivity(work, result).get(10, TimeUnit.SECONDS);

    OrchestrationWorkItem next = store.nextOrchestration(WAIT).orElseThrow();

    assertThat(next.messages()).extracting(InboxMessage::event).containsExactly(event, result);
  }

  @Test
  void aCheckpointThatLeavesATimer_settlesNothing_andTheTimerFires() throws Exception {
    start();
    HistoryEvent fired = new HistoryEvent.TimerFired(T0.plusSeconds(10), 2, T0.plusSeconds(10));
    ActivityWorkItem work = runningWithTask(new NewMessage("a", null, T0.plusSeconds(10), fired));
    assertThat(store.handOutsFromMemory()).as("a timer is an inbox row").isZero();
    HistoryEvent result = new HistoryEvent.TaskCompleted(T0, 1, "\"done\"");
    store.completeActivity(work, result).get(10, TimeUnit.SECONDS);
    OrchestrationWorkItem next = store.nextOrchestration(WAIT).orElseThrow();
    assertThat(next.messages()).extracting(InboxMessage::event).containsExactly(result);
    store.checkpoint(episode(next, 1).events(result).build()).get(10, TimeUnit.SECONDS);
    assertThat(store.handOutsFromMemory()).as("the timer is still there").isZero();

    clock.set(T0.plusSeconds(10));

    assertThat(store.nextOrchestration(WAIT).orElseThrow().messages())
        .extracting(InboxMessage::event)
        .containsExactly(fired);
  }

  @Test
  void aFinishedInstance_isNotSettled() throws Exception {
    start();
    store.createInstance(newInstance(pendingRecord("a", NAME, T0)));
    OrchestrationWorkItem item = store.nextOrchestration(WAIT).orElseThrow();

    store
        .checkpoint(
            episode(item, 0)
                .events(startEvent(item.instance()))
                .status(OrchestrationStatus.COMPLETED, T0)
                .build())
        .get(10, TimeUnit.SECONDS);

    assertThat(store.handOutsFromMemory()).isZero();
  }

  @Test
  void corruptInboxRow_raisesCorruptRecordExceptionNamingIt_andOtherInstancesKeepWorking()
      throws Exception {
    start();
    store.createInstance(newInstance(pendingRecord("bad", NAME, T0)));
    store.createInstance(newInstance(pendingRecord("good", NAME, T0)));
    Path file = store.options().path();
    long rowId = RawDb.count(file, "SELECT id FROM inbox WHERE instance_id = 'bad'");
    String original =
        (String) RawDb.column(file, "SELECT event_json FROM inbox WHERE id = ?", rowId).get(0);
    RawDb.update(file, "UPDATE inbox SET event_json = '{\"type\":' WHERE id = ?", rowId);
    reopen(); // new instances are handed out from memory: after a restart, from the file

    assertThatThrownBy(() -> store.nextOrchestration(WAIT))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("inbox row (id " + rowId + ", instance 'bad')");

    OrchestrationWorkItem good = store.nextOrchestration(WAIT).orElseThrow();
    assertThat(good.instance().instanceId()).isEqualTo("good");
    store
        .checkpoint(episode(good, 0).events(startEvent(good.instance())).build())
        .get(10, TimeUnit.SECONDS);
    assertThat(store.getHistory("good")).hasSize(1);

    // The damaged instance was unlocked: once repaired, its next message brings it back.
    RawDb.update(file, "UPDATE inbox SET event_json = ? WHERE id = ?", original, rowId);
    store.sendMessage(
        NewMessage.now("bad", raised("nudge", T0)), Set.of(OrchestrationStatus.PENDING));
    assertThat(store.nextOrchestration(WAIT).orElseThrow().messages()).hasSize(2);
  }

  @Test
  void corruptHistoryAndInstanceRows_raiseCorruptRecordExceptionNamingThem() throws Exception {
    start();
    store.createInstance(newInstance(pendingRecord("a", NAME, T0)));
    OrchestrationWorkItem item = store.nextOrchestration(WAIT).orElseThrow();
    store
        .checkpoint(
            episode(item, 0)
                .events(new HistoryEvent.OrchestratorStarted(T0), startEvent(item.instance()))
                .build())
        .get(10, TimeUnit.SECONDS);
    Path file = store.options().path();
    RawDb.update(file, "UPDATE history SET event_json = 'not json' WHERE seq = 1");
    RawDb.update(file, "UPDATE instances SET status = 'Sleeping' WHERE instance_id = 'a'");

    assertThatThrownBy(() -> store.getHistory("a"))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("history row (instance 'a', seq 1)");
    assertThatThrownBy(() -> store.getInstance("a"))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("instances row of instance 'a'")
        .hasMessageContaining("'Sleeping'");
    assertThatThrownBy(() -> store.purgeInstance("a")).isInstanceOf(CorruptRecordException.class);
    store.createInstance(newInstance(pendingRecord("b", NAME, T0)));
    assertThat(store.getInstance("b")).isPresent();
  }

  @Test
  void purgeInstances_deletesMoreThanOneBatch() throws Exception {
    start();
    Path file = store.options().path();
    for (int i = 0; i < 600; i++) {
      RawDb.update(
          file,
          "INSERT INTO instances (instance_id, name, status, created_at, last_updated_at)"
              + " VALUES (?, 'Old', 'COMPLETED', 0, 0)",
          "old-" + i);
    }
    store.createInstance(newInstance(pendingRecord("old-running", NAME, T0)));

    assertThat(store.purgeInstances(InstanceFilter.all())).isEqualTo(600);
    assertThat(store.queryInstances(InstanceFilter.all(), 10, null).instances())
        .singleElement()
        .satisfies(r -> assertThat(r.instanceId()).isEqualTo("old-running"));
  }

  @Test
  void options_areValidatedWhenBuilt() {
    Path file = dir.resolve("x.db");
    assertThatThrownBy(() -> SqliteOptions.builder(file).readerPoolSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readerPoolSize");
    assertThatThrownBy(
            () -> SqliteOptions.builder(file).busyTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("busyTimeout");
    assertThat(SqliteOptions.defaults(file))
        .isEqualTo(
            new SqliteOptions(
                file, SqliteOptions.Synchronous.FULL, Duration.ofSeconds(5), 4, 4096));
  }

  @Test
  void defaultStoreProvider_isSqliteUnderFermataData() {
    List<DefaultStoreProvider> providers =
        ServiceLoader.load(DefaultStoreProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .toList();

    assertThat(providers).singleElement().isInstanceOf(SqliteDefaultStoreProvider.class);
    SqliteStore opened = (SqliteStore) providers.get(0).openDefaultStore(); // not started: no I/O
    assertThat(opened.options().path()).isEqualTo(Path.of("fermata-data", "fermata.db"));
  }
}
