package dev.fermata.storetest;

import static dev.fermata.storetest.CheckpointBuilder.episode;
import static dev.fermata.storetest.StoreFixtures.NAME;
import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static dev.fermata.storetest.StoreFixtures.raised;
import static dev.fermata.storetest.StoreFixtures.startEvent;
import static dev.fermata.storetest.StoreFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.EntityRows;
import dev.fermata.spi.HistoryMovedOnException;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceChangeListener;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LockLostException;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StoreClosedException;
import dev.fermata.spi.WorkBacklog;
import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every {@link DurableStore} must have. A store's test extends this class and says
 * how to make (and, for a durable store, reopen) an instance of it.
 *
 * <p>Time is a {@link MutableClock} that only moves when a test moves it, so timers are checked
 * exactly (not visible a millisecond early, visible at their time); one test uses the system clock
 * to check that a waiting worker wakes by itself when a timer falls due.
 */
public abstract class StoreContractTest {
  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  /** Long enough for work that should come, even on a loaded machine. */
  protected static final Duration WAIT = Duration.ofSeconds(10);

  /** How long a test waits for work that must not come. */
  protected static final Duration SHORT = Duration.ofMillis(150);

  protected final MutableClock clock = new MutableClock(T0);
  protected DurableStore store;

  /** A new, empty store, already started with {@code clock}. */
  protected abstract DurableStore createStore(InstantSource clock);

  /**
   * The data of {@code closedStore} opened again and started with {@code clock}, or null if the
   * store keeps nothing across close (the tests that need it are then skipped).
   */
  protected DurableStore reopen(DurableStore closedStore, InstantSource clock) {
    return null;
  }

  /** The ids of the messages the store has moved to its dead-letter list for the instance. */
  private static List<Long> deadLetteredMessageIds(DurableStore store, String instanceId) {
    return store.deadLetters(instanceId, 0, 1000).stream()
        .filter(d -> d.kind() == DeadLetter.Kind.MESSAGE)
        .map(DeadLetter::sourceId)
        .toList();
  }

  @BeforeEach
  void openStore() {
    store = createStore(clock);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // ---- creating instances ----

  @Test
  void createInstance_writesThePendingRowAndEnqueuesTheStartMessage() throws Exception {
    InstanceRecord record = create("a");

    assertThat(store.getInstance("a")).contains(record);
    assertThat(store.getHistory("a")).isEmpty();
    OrchestrationWorkItem item = lockNext();
    assertThat(item.instance()).isEqualTo(record);
    assertThat(item.messages())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.event()).isEqualTo(startEvent(record));
              assertThat(m.instanceId()).isEqualTo("a");
              assertThat(m.executionId()).isEqualTo(record.executionId());
              assertThat(m.deliveryCount()).isZero();
            });
  }

  @Test
  void theVersion_isKeptFromCreationThroughCheckpoints_andRowsWithoutOneReadNull()
      throws Exception {
    InstanceRecord versioned =
        pendingRecord("v", NAME, clock.instant()).toBuilder().version("2.1").build();
    assertThat(store.createInstance(newInstance(versioned))).isTrue();
    create("plain");

    OrchestrationWorkItem item = lockNext();
    assertThat(item.instance().version()).isEqualTo("2.1");
    checkpoint(
        episode(item, 0)
            .events(startEvent(versioned))
            .instance(versioned.withStatus(OrchestrationStatus.RUNNING, clock.instant()))
            .build());

    assertThat(store.getInstance("v").orElseThrow().version()).isEqualTo("2.1");
    assertThat(store.getInstance("plain").orElseThrow().version()).isNull();
    assertThat(
            store
                .queryInstances(
                    new InstanceFilter(Set.of(OrchestrationStatus.RUNNING), null, null, null, null),
                    10,
                    null)
                .instances())
        .extracting(InstanceRecord::version)
        .containsExactly("2.1");
  }

  @ParameterizedTest
  @EnumSource(names = {"PENDING", "RUNNING", "SUSPENDED", "CONTINUED_AS_NEW"})
  void createInstance_whenARunningLikeInstanceHasTheId_isRefused(OrchestrationStatus status)
      throws Exception {
    InstanceRecord original = create("a");
    if (status != OrchestrationStatus.PENDING) {
      checkpoint(episode(lockNext(), 0).status(status, clock.instant()).build());
    }
    InstanceRecord stored = store.getInstance("a").orElseThrow();

    clock.advance(Duration.ofSeconds(1));
    boolean created =
        store.createInstance(newInstance(pendingRecord("a", "Other", clock.instant())));

    assertThat(created).isFalse();
    assertThat(store.getInstance("a")).contains(stored);
    assertThat(stored.name()).isEqualTo(original.name());
    if (status == OrchestrationStatus.PENDING) {
      assertThat(lockNext().messages()).as("one start message, not two").hasSize(1);
    } else {
      assertNoOrchestrationWork();
    }
  }

  @Test
  void createInstance_whenRefused_deliversOnConflictToTheCaller() throws Exception {
    start("parent");
    create("child");
    NewMessage conflict =
        NewMessage.now(
            "parent",
            new HistoryEvent.SubOrchestrationInstanceFailed(
                clock.instant(), 3, new FailureDetails("Conflict", "id taken", null, null, true)));

    boolean created =
        store.createInstance(newInstance(pendingRecord("child", NAME, clock.instant()), conflict));

    assertThat(created).isFalse();
    OrchestrationWorkItem first = lockNext();
    OrchestrationWorkItem second = lockNext();
    OrchestrationWorkItem parentItem =
        first.instance().instanceId().equals("parent") ? first : second;
    assertThat(parentItem.messages())
        .extracting(InboxMessage::event)
        .containsExactly(conflict.event());
  }

  @Test
  void createInstance_whenRefusedWithoutOnConflict_deliversNothing() throws Exception {
    create("a");
    store.createInstance(newInstance(pendingRecord("a", NAME, clock.instant())));

    assertThat(lockNext().messages()).hasSize(1);
    assertNoOrchestrationWork();
  }

  @Test
  void createInstance_whenATerminalInstanceHasTheId_replacesItWithItsHistoryInboxAndTasks()
      throws Exception {
    InstanceRecord old = start("a");
    clock.advance(Duration.ofSeconds(1));
    checkpoint(
        episode(lockNext(sendTo("a", "e")), 2)
            .events(raised("e", clock.instant()))
            .task(task(old, 5, "Late"))
            .message(new NewMessage("a", null, clock.instant().plusSeconds(60), raised("t", T0)))
            .status(OrchestrationStatus.COMPLETED, clock.instant())
            .build());

    InstanceRecord fresh = pendingRecord("a", "Replacement", clock.instant());
    assertThat(store.createInstance(newInstance(fresh))).isTrue();

    assertThat(store.getInstance("a")).contains(fresh);
    assertThat(store.getHistory("a")).isEmpty();
    assertThat(store.nextActivity(SHORT)).isEmpty();
    clock.advance(Duration.ofMinutes(5));
    assertThat(lockNext().messages())
        .extracting(InboxMessage::event)
        .containsExactly(startEvent(fresh));
  }

  @Test
  void createInstance_withAScheduledStart_isNotVisibleBeforeThatTime() throws Exception {
    Instant startAt = T0.plus(Duration.ofHours(1));
    InstanceRecord base = pendingRecord("a", NAME, T0);
    InstanceRecord scheduled =
        new InstanceRecord(
            "a",
            NAME,
            base.executionId(),
            base.status(),
            base.input(),
            null,
            null,
            null,
            T0,
            T0,
            startAt,
            null,
            null,
            null,
            null);
    assertThat(store.createInstance(newInstance(scheduled))).isTrue();

    clock.set(startAt.minusMillis(1));
    assertNoOrchestrationWork();
    clock.set(startAt);
    assertThat(lockNext().messages())
        .singleElement()
        .satisfies(m -> assertThat(m.visibleAt()).isEqualTo(startAt));
  }

  // ---- sending messages ----

  @Test
  void sendMessage_toAnAcceptedStatus_enqueuesItAndReturnsTheStatus() throws Exception {
    start("a");

    Optional<OrchestrationStatus> status =
        store.sendMessage(
            NewMessage.now("a", raised("go", clock.instant())),
            Set.of(OrchestrationStatus.RUNNING));

    assertThat(status).contains(OrchestrationStatus.RUNNING);
    assertThat(lockNext().messages())
        .extracting(InboxMessage::event)
        .containsExactly(raised("go", clock.instant()));
  }

  @Test
  void sendMessage_toAStatusNotAccepted_returnsTheStatusAndEnqueuesNothing() throws Exception {
    start("a");

    Optional<OrchestrationStatus> status =
        store.sendMessage(
            NewMessage.now("a", raised("go", clock.instant())),
            Set.of(OrchestrationStatus.PENDING));

    assertThat(status).contains(OrchestrationStatus.RUNNING);
    assertNoOrchestrationWork();
  }

  @Test
  void sendMessage_toAnUnknownInstance_returnsEmpty() throws Exception {
    Optional<OrchestrationStatus> status =
        store.sendMessage(
            NewMessage.now("nobody", raised("go", clock.instant())),
            EnumSet.allOf(OrchestrationStatus.class));

    assertThat(status).isEmpty();
    assertNoOrchestrationWork();
  }

  @Test
  void sendMessage_visibleLater_isDeliveredAtItsTimeAndNotBefore() throws Exception {
    start("a");
    Instant due = clock.instant().plusSeconds(30);
    store.sendMessage(
        new NewMessage("a", null, due, raised("later", T0)), Set.of(OrchestrationStatus.RUNNING));

    clock.set(due.minusMillis(1));
    assertNoOrchestrationWork();
    clock.set(due);
    assertThat(lockNext().messages())
        .singleElement()
        .satisfies(m -> assertThat(m.visibleAt()).isEqualTo(due));
  }

  // ---- locking and checkpoints ----

  @Test
  void nextOrchestration_returnsTheVisibleMessagesInArrivalOrder() throws Exception {
    InstanceRecord record = create("a");
    for (String name : List.of("one", "two", "three")) {
      store.sendMessage(
          NewMessage.now("a", raised(name, clock.instant())), Set.of(OrchestrationStatus.PENDING));
    }

    assertThat(lockNext().messages())
        .extracting(InboxMessage::event)
        .containsExactly(
            startEvent(record),
            raised("one", clock.instant()),
            raised("two", clock.instant()),
            raised("three", clock.instant()));
  }

  @Test
  void checkpoint_appendsHistoryWritesTheRowAndDeletesConsumedMessages() throws Exception {
    InstanceRecord record = create("a");
    OrchestrationWorkItem item = lockNext();
    HistoryEvent started = new HistoryEvent.OrchestratorStarted(clock.instant());
    clock.advance(Duration.ofMillis(5));

    checkpoint(
        episode(item, 0)
            .events(started, startEvent(record))
            .status(OrchestrationStatus.RUNNING, clock.instant())
            .build());

    assertThat(store.getHistory("a")).containsExactly(started, startEvent(record));
    assertThat(store.getInstance("a"))
        .contains(record.withStatus(OrchestrationStatus.RUNNING, clock.instant()));
    assertNoOrchestrationWork();

    OrchestrationWorkItem next = lockNext(sendTo("a", "e"));
    checkpoint(episode(next, 2).events(raised("e", clock.instant())).build());
    assertThat(store.getHistory("a"))
        .containsExactly(started, startEvent(record), raised("e", clock.instant()));
  }

  @Test
  void nextOrchestration_whileTheInstanceIsLocked_doesNotHandItOutAgain() throws Exception {
    start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "first"));
    sendTo("a", "second");

    assertNoOrchestrationWork();
    checkpoint(episode(item, 2).events(raised("first", clock.instant())).build());
    assertThat(lockNext().messages())
        .extracting(InboxMessage::event)
        .containsExactly(raised("second", clock.instant()));
  }

  @Test
  void checkpoint_withAStaleLockToken_isRefusedAndAppliesNothing() throws Exception {
    InstanceRecord running = start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "e"));

    Throwable failure =
        checkpointFailure(
            episode(item, 2)
                .lockToken(item.lockToken() + 1000)
                .events(raised("e", clock.instant()))
                .task(task(running, 3, "Never"))
                .status(OrchestrationStatus.COMPLETED, clock.instant())
                .build());

    assertThat(failure).isInstanceOf(LockLostException.class);
    assertNothingAppliedAfterStart("a", running);
    // The real lock is still held: releasing it without consuming leaves the message in place.
    checkpoint(episode(item, 2).consuming(List.of()).build());
    assertThat(lockNext().messages()).hasSize(1);
  }

  @Test
  void checkpoint_withTheTokenOfAnEarlierLock_isRefused() throws Exception {
    start("a");
    OrchestrationWorkItem earlier = lockNext(sendTo("a", "one"));
    checkpoint(episode(earlier, 2).events(raised("one", clock.instant())).build());
    OrchestrationWorkItem current = lockNext(sendTo("a", "two"));

    Throwable failure =
        checkpointFailure(episode(earlier, 3).events(raised("two", clock.instant())).build());

    assertThat(failure).isInstanceOf(LockLostException.class);
    assertThat(store.getHistory("a")).hasSize(3);
    checkpoint(episode(current, 3).events(raised("two", clock.instant())).build());
    assertThat(store.getHistory("a")).hasSize(4);
  }

  @Test
  void checkpoint_whoseEventsWouldOverwriteStoredOnes_isRefusedAndAppliesNothing()
      throws Exception {
    InstanceRecord running = start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "e"));

    Throwable failure =
        checkpointFailure(
            episode(item, 1)
                .events(raised("e", clock.instant()))
                .task(task(running, 3, "Never"))
                .status(OrchestrationStatus.COMPLETED, clock.instant())
                .build());

    assertThat(failure).isInstanceOf(HistoryMovedOnException.class).hasMessageContaining("a");
    assertNothingAppliedAfterStart("a", running);
    // The store unlocked the instance and dispatches it again with its unconsumed message.
    assertThat(lockNext().messages())
        .extracting(InboxMessage::event)
        .containsExactly(raised("e", clock.instant()));
  }

  @Test
  void checkpoint_thatWouldLeaveAGapInTheHistory_isRefused() throws Exception {
    InstanceRecord running = start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "e"));

    Throwable failure = checkpointFailure(episode(item, 7).events(raised("e", T0)).build());

    assertThat(failure).isInstanceOf(HistoryMovedOnException.class);
    assertNothingAppliedAfterStart("a", running);
  }

  @Test
  void checkpoint_withoutNewEvents_isAppliedWhateverItsFirstEventIndex() throws Exception {
    start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "late"));

    checkpoint(episode(item, 0).status(OrchestrationStatus.COMPLETED, clock.instant()).build());

    assertThat(store.getHistory("a")).hasSize(2);
    assertThat(store.getInstance("a").orElseThrow().status())
        .isEqualTo(OrchestrationStatus.COMPLETED);
    assertNoOrchestrationWork(); // the message was consumed
  }

  @Test
  void checkpoint_withResetHistory_makesTheNewEventsTheWholeHistory() throws Exception {
    InstanceRecord running = start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "e"));
    InstanceRecord nextExecution =
        new InstanceRecord(
            "a",
            NAME,
            "exec-2",
            OrchestrationStatus.CONTINUED_AS_NEW,
            "\"next\"",
            null,
            null,
            null,
            running.createdAt(),
            clock.instant(),
            null,
            null,
            null,
            null,
            null);
    HistoryEvent restarted =
        new HistoryEvent.ExecutionStarted(clock.instant(), NAME, "exec-2", "\"next\"", null, null);

    checkpoint(episode(item, 2).resetHistory().events(restarted).instance(nextExecution).build());

    assertThat(store.getHistory("a")).containsExactly(restarted);
    assertThat(store.getInstance("a")).contains(nextExecution);
  }

  @Test
  void checkpoint_withDeadLetter_quarantinesTheConsumedMessages() throws Exception {
    start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "poison"));

    checkpoint(episode(item, 2).deadLetter().build());

    assertNoOrchestrationWork();
    assertThat(store.getHistory("a")).hasSize(2);
    assertThat(deadLetteredMessageIds(store, "a"))
        .containsExactlyElementsOf(item.messages().stream().map(InboxMessage::id).toList());
  }

  @Test
  void checkpoint_consumingOnlySomeMessages_leavesTheOthersForTheNextEpisode() throws Exception {
    start("a");
    sendTo("a", "one");
    OrchestrationWorkItem item = lockNext(sendTo("a", "two"));
    assertThat(item.messages()).hasSize(2);

    checkpoint(
        episode(item, 2)
            .consuming(List.of(item.messages().get(0).id()))
            .events(raised("one", clock.instant()))
            .build());

    OrchestrationWorkItem next = lockNext();
    assertThat(next.messages())
        .extracting(InboxMessage::event)
        .containsExactly(raised("two", clock.instant()));
    assertThat(next.messages())
        .as("a message left by a successful episode is not a failed delivery")
        .extracting(InboxMessage::deliveryCount)
        .containsExactly(0);
  }

  @Test
  void checkpoint_messagesToOtherInstances_wakeThem() throws Exception {
    start("a");
    start("b");
    HistoryEvent event = raised("hello", clock.instant());

    checkpoint(episode(lockNext(sendTo("a", "go")), 2).message(NewMessage.now("b", event)).build());

    OrchestrationWorkItem woken = lockNext();
    assertThat(woken.instance().instanceId()).isEqualTo("b");
    assertThat(woken.messages()).extracting(InboxMessage::event).containsExactly(event);
  }

  @Test
  void checkpoint_messageForAnUnknownInstance_isDropped() throws Exception {
    start("a");

    checkpoint(
        episode(lockNext(sendTo("a", "go")), 2)
            .message(NewMessage.now("nobody", raised("lost", clock.instant())))
            .build());

    assertNoOrchestrationWork();
    assertThat(store.getInstance("nobody")).isEmpty();
  }

  @Test
  void checkpoint_timerToSelf_firesAtItsTimeAndNotBefore() throws Exception {
    start("a");
    Instant due = clock.instant().plus(Duration.ofMinutes(10));
    HistoryEvent fired = new HistoryEvent.TimerFired(due, 2, due);

    checkpoint(
        episode(lockNext(sendTo("a", "go")), 2)
            .events(new HistoryEvent.TimerCreated(clock.instant(), 2, due))
            .message(new NewMessage("a", "exec-a", due, fired))
            .build());

    clock.set(due.minusMillis(1));
    assertNoOrchestrationWork();
    clock.set(due);
    assertThat(lockNext().messages()).extracting(InboxMessage::event).containsExactly(fired);
  }

  @Test
  void timer_wakesAWaitingWorkerAtItsDueTime() throws Exception {
    DurableStore realTime = createStore(InstantSource.system());
    try {
      realTime.createInstance(newInstance(pendingRecord("a", NAME, Instant.now())));
      OrchestrationWorkItem item = realTime.nextOrchestration(WAIT).orElseThrow();
      Instant due = Instant.now().plusMillis(300);
      realTime
          .checkpoint(
              episode(item, 0)
                  .message(new NewMessage("a", null, due, new HistoryEvent.TimerFired(due, 0, due)))
                  .build())
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);

      long begin = System.nanoTime();
      Optional<OrchestrationWorkItem> fired = realTime.nextOrchestration(WAIT);
      Duration waited = Duration.ofNanos(System.nanoTime() - begin);

      assertThat(fired).isPresent();
      assertThat(Instant.now()).isAfterOrEqualTo(due);
      assertThat(waited).isLessThan(WAIT.minusSeconds(5));
    } finally {
      realTime.close();
    }
  }

  @Test
  void checkpoint_createsSubOrchestrationsFollowingTheNewInstanceRules() throws Exception {
    InstanceRecord parent = start("parent");
    start("taken");
    ParentInstance link = new ParentInstance("parent", parent.executionId(), 4);
    InstanceRecord base = pendingRecord("child", "Child", clock.instant());
    InstanceRecord child =
        new InstanceRecord(
            "child",
            "Child",
            base.executionId(),
            base.status(),
            base.input(),
            null,
            null,
            null,
            base.createdAt(),
            base.lastUpdatedAt(),
            null,
            null,
            link,
            null,
            null);
    HistoryEvent failed =
        new HistoryEvent.SubOrchestrationInstanceFailed(
            clock.instant(), 5, new FailureDetails("Taken", null, null, null, true));

    checkpoint(
        episode(lockNext(sendTo("parent", "go")), 2)
            .child(newInstance(child))
            .child(
                newInstance(
                    pendingRecord("taken", NAME, clock.instant()),
                    NewMessage.now("parent", failed)))
            .build());

    assertThat(store.getInstance("child")).contains(child);
    List<OrchestrationWorkItem> woken = List.of(lockNext(), lockNext());
    assertThat(woken)
        .extracting(w -> w.instance().instanceId())
        .containsExactlyInAnyOrder("child", "parent");
    assertThat(woken)
        .filteredOn(w -> w.instance().instanceId().equals("parent"))
        .singleElement()
        .satisfies(
            w -> assertThat(w.messages()).extracting(InboxMessage::event).containsExactly(failed));
  }

  @Test
  void abandonOrchestration_countsTheDeliveryAndRedeliversAfterTheDelay() throws Exception {
    start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "e"));

    store.abandonOrchestration(item, Duration.ofSeconds(30));

    clock.advance(Duration.ofSeconds(29));
    assertNoOrchestrationWork();
    clock.advance(Duration.ofSeconds(1));
    OrchestrationWorkItem again = lockNext();
    assertThat(again.messages()).extracting(InboxMessage::deliveryCount).containsExactly(1);
    assertThat(checkpointFailure(episode(item, 2).build())).isInstanceOf(LockLostException.class);
  }

  @Test
  void abandonAfterStoreFailure_redeliversWithoutCountingTheDelivery() throws Exception {
    start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "e"));
    store.abandonOrchestration(item, Duration.ZERO);
    OrchestrationWorkItem counted = lockNext();
    assertThat(counted.messages()).extracting(InboxMessage::deliveryCount).containsExactly(1);

    store.abandonOrchestrationAfterStoreFailure(counted, Duration.ofSeconds(30));

    clock.advance(Duration.ofSeconds(29));
    assertNoOrchestrationWork();
    clock.advance(Duration.ofSeconds(1));
    OrchestrationWorkItem again = lockNext();
    assertThat(again.messages()).extracting(InboxMessage::deliveryCount).containsExactly(1);
    assertThat(checkpointFailure(episode(counted, 2).build()))
        .isInstanceOf(LockLostException.class);
  }

  @Test
  void abandonOrchestration_withAStaleToken_doesNothing() throws Exception {
    start("a");
    OrchestrationWorkItem earlier = lockNext(sendTo("a", "one"));
    checkpoint(episode(earlier, 2).build());
    OrchestrationWorkItem current = lockNext(sendTo("a", "two"));

    store.abandonOrchestration(earlier, Duration.ZERO);

    assertNoOrchestrationWork();
    checkpoint(episode(current, 2).build());
  }

  // ---- activities ----

  @Test
  void activity_isLockedCompletedAndItsResultDeliveredToItsExecution() throws Exception {
    InstanceRecord running = start("a");
    checkpoint(episode(lockNext(sendTo("a", "go")), 2).task(task(running, 2, "Work")).build());

    ActivityWorkItem work = store.nextActivity(WAIT).orElseThrow();
    assertThat(work.task()).isEqualTo(task(running, 2, "Work"));
    assertThat(work.deliveryCount()).isZero();
    assertThat(store.nextActivity(SHORT)).as("a locked task is not handed out twice").isEmpty();

    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), 2, "\"done\"");
    store.completeActivity(work, result).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(lockNext().messages())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.event()).isEqualTo(result);
              assertThat(m.executionId()).isEqualTo(running.executionId());
            });
    assertThat(store.nextActivity(SHORT)).isEmpty();
  }

  @Test
  void openTaskIds_holdsATaskUntilTheEpisodeThatRecordsItsResult() throws Exception {
    InstanceRecord running = start("a");
    start("b");
    String execution = running.executionId();
    assertThat(store.openTaskIds("a", execution)).isEmpty();
    checkpoint(
        episode(lockNext(sendTo("a", "go")), 2)
            .task(task(running, 2, "Work"))
            .task(task(running, 3, "Other"))
            .build());
    assertThat(store.openTaskIds("a", execution)).as("queued").containsExactlyInAnyOrder(2, 3);
    assertThat(store.openTaskIds("a", "another execution")).isEmpty();
    assertThat(store.openTaskIds("b", execution)).isEmpty();

    ActivityWorkItem work = store.nextActivity(WAIT).orElseThrow();
    assertThat(store.openTaskIds("a", execution)).as("running").containsExactlyInAnyOrder(2, 3);
    int done = work.task().taskId();
    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), done, "1");
    store.completeActivity(work, result).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(store.openTaskIds("a", execution))
        .as("its result not yet recorded")
        .containsExactlyInAnyOrder(2, 3);

    OrchestrationWorkItem item = lockNext("a");
    assertThat(item.messages()).extracting(InboxMessage::event).containsExactly(result);
    checkpoint(episode(item, 2).events(result).build());
    assertThat(store.openTaskIds("a", execution)).containsExactly(done == 2 ? 3 : 2);
  }

  @Test
  void completeActivity_twice_refusesTheSecondAsStale() throws Exception {
    ActivityWorkItem work = scheduleAndLockActivity("a");
    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), 2, "1");
    store.completeActivity(work, result).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    Throwable second = failureOf(store.completeActivity(work, result));

    assertThat(second).isInstanceOf(LockLostException.class);
    assertThat(lockNext().messages()).hasSize(1);
  }

  @Test
  void completeActivity_afterThePurgeOfItsInstance_isRefusedAsStale() throws Exception {
    InstanceRecord running = start("a");
    checkpoint(
        episode(lockNext(sendTo("a", "go")), 2)
            .task(task(running, 2, "Work"))
            .status(OrchestrationStatus.TERMINATED, clock.instant())
            .build());
    ActivityWorkItem work = store.nextActivity(WAIT).orElseThrow();
    assertThat(store.purgeInstance("a")).isTrue();

    Throwable failure =
        failureOf(
            store.completeActivity(
                work, new HistoryEvent.TaskFailed(clock.instant(), 2, failureDetails())));

    assertThat(failure).isInstanceOf(LockLostException.class);
    assertThat(store.getInstance("a")).isEmpty();
  }

  @Test
  void abandonActivity_putsTheTaskBackWithItsDeliveryCounted() throws Exception {
    ActivityWorkItem work = scheduleAndLockActivity("a");

    store.abandonActivity(work);

    ActivityWorkItem again = store.nextActivity(WAIT).orElseThrow();
    assertThat(again.id()).isEqualTo(work.id());
    assertThat(again.deliveryCount()).isEqualTo(1);
    assertThat(again.lockToken()).isNotEqualTo(work.lockToken());
    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), 2, "1");
    assertThat(failureOf(store.completeActivity(work, result)))
        .isInstanceOf(LockLostException.class);
    store.completeActivity(again, result).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void giveBackActivity_putsTheTaskBackWithoutCountingTheDelivery() throws Exception {
    ActivityWorkItem first = scheduleAndLockActivity("a");
    store.giveBackActivity(first);
    ActivityWorkItem second = store.nextActivity(WAIT).orElseThrow();
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.deliveryCount()).isZero();

    store.abandonActivity(second); // counted
    ActivityWorkItem third = store.nextActivity(WAIT).orElseThrow();
    assertThat(third.deliveryCount()).isEqualTo(1);
    store.giveBackActivity(third); // not counted: the redelivery's count is taken back
    ActivityWorkItem fourth = store.nextActivity(WAIT).orElseThrow();
    assertThat(fourth.deliveryCount()).isEqualTo(1);

    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), 2, "1");
    assertThat(failureOf(store.completeActivity(third, result)))
        .isInstanceOf(LockLostException.class);
    fourth.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    store.completeActivity(fourth, result).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void backlog_countsVisibleMessagesAndOpenTasks_notFutureOnes() throws Exception {
    assertThat(store.backlog()).contains(new WorkBacklog(0, 0, null));
    scheduleAndLockActivity("b"); // b's messages consumed; its task running
    assertThat(store.backlog()).contains(new WorkBacklog(0, 1, null));

    Instant created = clock.instant();
    create("a");
    store.sendMessage(
        new NewMessage("a", null, created.plusSeconds(60), raised("later", created)),
        Set.of(OrchestrationStatus.PENDING));
    clock.advance(Duration.ofSeconds(5));

    assertThat(store.backlog()).contains(new WorkBacklog(1, 1, created));
  }

  // ---- queries ----

  @Test
  void queryInstances_filtersByStatusNameCreationTimeAndIdPrefix() throws Exception {
    Instant t1 = T0;
    Instant t2 = T0.plusSeconds(10);
    Instant t3 = T0.plusSeconds(20);
    createAt("order-1", "Order", t1);
    createAt("order-2", "Order", t2);
    createAt("ship-1", "Ship", t3);
    completeNext();

    assertThat(
            ids(new InstanceFilter(Set.of(OrchestrationStatus.COMPLETED), null, null, null, null)))
        .hasSize(1);
    assertThat(ids(new InstanceFilter(Set.of(OrchestrationStatus.PENDING), null, null, null, null)))
        .hasSize(2);
    assertThat(ids(new InstanceFilter(Set.of(), "Order", null, null, null)))
        .containsExactly("order-1", "order-2");
    assertThat(ids(new InstanceFilter(Set.of(), null, t2, t3, null)))
        .containsExactly("order-2", "ship-1");
    assertThat(ids(new InstanceFilter(Set.of(), null, null, t2, null)))
        .containsExactly("order-1", "order-2");
    assertThat(ids(new InstanceFilter(Set.of(), null, null, null, "order-")))
        .containsExactly("order-1", "order-2");
    assertThat(ids(new InstanceFilter(Set.of(), "Ship", t1, t3, "order-"))).isEmpty();
    assertThat(ids(InstanceFilter.all())).containsExactly("order-1", "order-2", "ship-1");
  }

  @Test
  void queryInstances_idPrefix_isCaseSensitiveAndLiteral() {
    createAt("Ab_1", NAME, T0);
    createAt("ab%2", NAME, T0);
    createAt("abX3", NAME, T0);

    assertThat(ids(new InstanceFilter(Set.of(), null, null, null, "ab")))
        .containsExactly("ab%2", "abX3");
    assertThat(ids(new InstanceFilter(Set.of(), null, null, null, "ab%"))).containsExactly("ab%2");
    assertThat(ids(new InstanceFilter(Set.of(), null, null, null, "A_"))).isEmpty();
  }

  @Test
  void queryInstances_pagesInCreationOrderWithContinuationTokens() {
    List<String> expected = createNineSecondsOfThree();

    assertThat(pagesOfTen(InstanceFilter.all(), false))
        .containsExactly(
            expected.subList(0, 10), expected.subList(10, 20), expected.subList(20, 27));
  }

  @Test
  void traceParents_areKept_withTheInstanceAndItsTasks() throws Exception {
    String trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    InstanceRecord record =
        pendingRecord("traced", NAME, T0).toBuilder().traceParent(trace).build();
    store.createInstance(newInstance(record));

    assertThat(store.getInstance("traced").orElseThrow().traceParent()).isEqualTo(trace);
    OrchestrationWorkItem item = lockNext();
    assertThat(item.instance().traceParent()).isEqualTo(trace);
    ActivityTask scheduled =
        new ActivityTask("traced", record.executionId(), 0, "Work", null, trace);
    checkpoint(
        episode(item, 0)
            .events(startEvent(record))
            .task(scheduled)
            .status(OrchestrationStatus.RUNNING, T0)
            .build());

    assertThat(store.nextActivity(WAIT).orElseThrow().task()).isEqualTo(scheduled);
    assertThat(store.getInstance("traced").orElseThrow().traceParent())
        .as("kept by the checkpoint's row")
        .isEqualTo(trace);
  }

  @Test
  void queryInstances_newestFirst_pagesInReverseCreationOrder() {
    List<String> expected = createNineSecondsOfThree();
    createAt("other", "Other", T0.plusSeconds(4));
    java.util.Collections.reverse(expected);

    InstanceFilter named = new InstanceFilter(Set.of(), NAME, null, null, null);
    assertThat(pagesOfTen(named, true))
        .containsExactly(
            expected.subList(0, 10), expected.subList(10, 20), expected.subList(20, 27));
  }

  @Test
  void countInstances_countsEachStatusUnderTheFilter() throws Exception {
    createAt("order-1", "Order", T0);
    createAt("order-2", "Order", T0.plusSeconds(10));
    createAt("ship-1", "Ship", T0.plusSeconds(20));
    completeNext();

    Map<OrchestrationStatus, Long> all = store.countInstances(InstanceFilter.all());
    assertThat(all)
        .containsOnlyKeys(OrchestrationStatus.PENDING, OrchestrationStatus.COMPLETED)
        .containsEntry(OrchestrationStatus.PENDING, 2L)
        .containsEntry(OrchestrationStatus.COMPLETED, 1L);
    assertThat(
            store.countInstances(new InstanceFilter(Set.of(), "Ship", null, null, null)).values())
        .containsExactly(1L);
    assertThat(
            store
                .countInstances(
                    new InstanceFilter(Set.of(), null, T0.plusSeconds(5), null, "order-"))
                .values())
        .containsExactly(1L); // order-2 alone
    assertThat(
            store.countInstances(
                new InstanceFilter(Set.of(OrchestrationStatus.COMPLETED), null, null, null, null)))
        .isEqualTo(Map.of(OrchestrationStatus.COMPLETED, 1L));
    assertThat(store.countInstances(new InstanceFilter(Set.of(), "None", null, null, null)))
        .isEmpty();
  }

  /** The ids of every page of ten the filter selects, following the continuation tokens. */
  private List<List<String>> pagesOfTen(InstanceFilter filter, boolean newestFirst) {
    List<List<String>> pages = new ArrayList<>();
    String token = null;
    do {
      InstancePage page = store.queryInstances(filter, newestFirst, 10, token);
      pages.add(page.instances().stream().map(InstanceRecord::instanceId).toList());
      token = page.continuationToken();
    } while (token != null);
    return pages;
  }

  /**
   * Three instances created in each of nine seconds, out of id order within each second; returns
   * their ids oldest first (within a second, by id).
   */
  private List<String> createNineSecondsOfThree() {
    List<String> expected = new ArrayList<>();
    for (int second = 0; second < 9; second++) {
      for (String suffix : List.of("c", "a", "b")) { // same creation time: ordered by id
        createAt("i" + second + suffix, NAME, T0.plusSeconds(second));
      }
      expected.addAll(List.of("i" + second + "a", "i" + second + "b", "i" + second + "c"));
    }
    return expected;
  }

  @Test
  void queryInstances_lastFullPage_hasNoContinuationToken() {
    createAt("a", NAME, T0);
    createAt("b", NAME, T0);

    InstancePage page = store.queryInstances(InstanceFilter.all(), 2, null);

    assertThat(page.instances()).hasSize(2);
    assertThat(page.continuationToken()).isNull();
    assertThat(
            store.queryInstances(new InstanceFilter(Set.of(), "None", null, null, null), 5, null))
        .isEqualTo(new InstancePage(List.of(), null));
  }

  @Test
  void queryInstances_withAMalformedToken_isRejectedNamingTheToken() {
    for (String bad : List.of("not a token!", "", "bm9wZQ")) {
      assertThatThrownBy(() -> store.queryInstances(InstanceFilter.all(), 10, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }

  // ---- purging ----

  @Test
  void purgeInstance_deletesATerminalInstanceWithEverythingThatBelongsToIt() throws Exception {
    InstanceRecord running = start("a");
    checkpoint(
        episode(lockNext(sendTo("a", "go")), 2)
            .events(raised("go", clock.instant()))
            .task(task(running, 3, "Work"))
            .message(new NewMessage("a", null, clock.instant().plusSeconds(5), raised("t", T0)))
            .status(OrchestrationStatus.COMPLETED, clock.instant())
            .build());

    assertThat(store.purgeInstance("a")).isTrue();

    assertThat(store.getInstance("a")).isEmpty();
    assertThat(store.getHistory("a")).isEmpty();
    assertThat(store.nextActivity(SHORT)).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    assertNoOrchestrationWork();
    assertThat(store.sendMessage(NewMessage.now("a", raised("x", T0)), Set.of())).isEmpty();
    assertThat(store.purgeInstance("a")).isFalse();
  }

  @Test
  void purgeInstance_keepsRunningLikeInstances() throws Exception {
    start("running");
    create("pending");

    assertThat(store.purgeInstance("pending")).isFalse();
    assertThat(store.purgeInstance("running")).isFalse();
    assertThat(store.purgeInstance("absent")).isFalse();
    assertThat(store.getInstance("pending")).isPresent();
    assertThat(store.getHistory("running")).hasSize(2);
  }

  @Test
  void purgeInstances_deletesMatchingTerminalInstancesAndKeepsRunningLikeOnes() throws Exception {
    for (int i = 0; i < 5; i++) {
      createAt("a-done-" + i, NAME, T0);
      completeNext();
    }
    createAt("b-done", NAME, T0);
    completeNext();
    createAt("a-pending", NAME, T0);

    int purged =
        store.purgeInstances(
            new InstanceFilter(
                Set.of(OrchestrationStatus.COMPLETED, OrchestrationStatus.PENDING),
                null,
                null,
                null,
                "a-"));

    assertThat(purged).isEqualTo(5);
    assertThat(ids(InstanceFilter.all())).containsExactlyInAnyOrder("a-pending", "b-done");
    assertThat(store.getHistory("a-done-0")).isEmpty();
  }

  @Test
  void purgeInstances_withALimitAndALastUpdateCutoff_purgesAtMostThatManyOldOnes()
      throws Exception {
    for (int i = 0; i < 3; i++) {
      createAt("old-" + i, NAME, T0);
      completeNext();
    }
    Instant cutoff = clock.instant();
    clock.advance(Duration.ofMinutes(1));
    createAt("recent", NAME, T0); // created as early, but it finishes after the cutoff
    completeNext();
    createAt("pending", NAME, T0);
    InstanceFilter expired = new InstanceFilter(Set.of(), null, null, null, null, cutoff);

    assertThat(ids(expired)).containsExactlyInAnyOrder("old-0", "old-1", "old-2", "pending");
    assertThat(store.purgeInstances(expired, 2)).isEqualTo(2);
    assertThat(store.purgeInstances(expired, 2)).isEqualTo(1);
    assertThat(store.purgeInstances(expired, 2)).isZero();
    assertThat(ids(InstanceFilter.all())).containsExactlyInAnyOrder("recent", "pending");
    assertThatThrownBy(() -> store.purgeInstances(expired, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }

  // ---- listeners ----

  @Test
  void instanceChangeListener_hearsOfEveryInstanceWhoseRowChanged() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    store.addInstanceChangeListener((id, status) -> heard.add(id));

    create("a");
    Poll.until("a heard of", WAIT, () -> heard.contains("a"));
    checkpoint(
        episode(lockNext(), 0)
            .child(newInstance(pendingRecord("child", NAME, clock.instant())))
            .status(OrchestrationStatus.COMPLETED, clock.instant())
            .build());
    Poll.until(
        "child and a heard of",
        WAIT,
        () -> heard.contains("child") && heard.stream().filter("a"::equals).count() == 2);
    store.purgeInstance("a");
    Poll.until("a heard of thrice", WAIT, () -> heard.stream().filter("a"::equals).count() == 3);
  }

  @Test
  void instanceChangeListener_thatTakesRows_hearsEachRowExactlyAsStored() throws Exception {
    List<InstanceRecord> rows = new CopyOnWriteArrayList<>();
    store.addInstanceChangeListener(
        new InstanceChangeListener() {
          @Override
          public void changed(String instanceId, OrchestrationStatus status) {}

          @Override
          public void changed(InstanceRecord row) {
            rows.add(row);
          }
        });
    clock.advance(Duration.ofNanos(123_456)); // a time finer than some stores keep

    create("a");
    Poll.until("the new row heard", WAIT, () -> !rows.isEmpty());
    assertThat(rows).containsExactly(store.getInstance("a").orElseThrow());
    clock.advance(Duration.ofNanos(654_321));
    OrchestrationWorkItem item = lockNext("a");
    checkpoint(
        episode(item, 0)
            .events(startEvent(item.instance()))
            .instance(
                item.instance().toBuilder()
                    .status(OrchestrationStatus.FAILED)
                    .failure(
                        new FailureDetails(
                            "java.lang.IllegalStateException",
                            "broken",
                            "at X.y(X.java:1)",
                            null,
                            false))
                    .customStatus("\"half\"")
                    .lastUpdatedAt(clock.instant())
                    .completedAt(clock.instant())
                    .build())
            .build());

    Poll.until("the failed row heard", WAIT, () -> rows.size() == 2);
    assertThat(rows.get(1))
        .as("what a waiter gets without reading is what a read gets")
        .isEqualTo(store.getInstance("a").orElseThrow());
  }

  // ---- concurrency and lifecycle ----

  @Test
  void checkpoints_fromManyWorkerThreads_areEachAppliedExactlyOnce() throws Exception {
    int instanceCount = 200;
    int eventsPerInstance = 2;
    for (int i = 0; i < instanceCount; i++) {
      create("c" + i);
    }
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      threads.add(Thread.ofPlatform().name("worker-" + w).start(() -> runWorker(done, errors)));
    }
    for (int s = 0; s < 4; s++) {
      int sender = s;
      threads.add(
          Thread.ofPlatform()
              .name("sender-" + s)
              .start(
                  () -> {
                    for (int i = sender; i < instanceCount; i += 4) {
                      for (int e = 0; e < eventsPerInstance; e++) {
                        store.sendMessage(
                            NewMessage.now("c" + i, raised("e" + e, T0)),
                            EnumSet.allOf(OrchestrationStatus.class));
                      }
                    }
                  }));
    }

    try {
      Poll.until(
          "every history complete, or an error",
          Duration.ofSeconds(60),
          () -> !errors.isEmpty() || allHistoriesHaveSize(instanceCount, 1 + eventsPerInstance));
    } finally {
      done.set(true);
      for (Thread t : threads) {
        t.join(WAIT.toMillis());
      }
    }
    assertThat(errors).isEmpty();
    for (int i = 0; i < instanceCount; i++) {
      InstanceRecord record = store.getInstance("c" + i).orElseThrow();
      assertThat(store.getHistory("c" + i))
          .containsExactly(startEvent(record), raised("e0", T0), raised("e1", T0));
    }
  }

  /** Records each consumed message as one history event, exactly as an engine worker would. */
  private void runWorker(AtomicBoolean done, ConcurrentLinkedQueue<Throwable> errors) {
    try {
      while (!done.get()) {
        Optional<OrchestrationWorkItem> next = store.nextOrchestration(Duration.ofMillis(100));
        if (next.isEmpty()) {
          continue;
        }
        OrchestrationWorkItem item = next.get();
        int historySize = store.getHistory(item.instance().instanceId()).size();
        HistoryEvent[] events =
            item.messages().stream().map(InboxMessage::event).toArray(HistoryEvent[]::new);
        store
            .checkpoint(
                episode(item, historySize)
                    .events(events)
                    .status(OrchestrationStatus.RUNNING, T0)
                    .build())
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (Throwable e) {
      errors.add(e);
    }
  }

  private boolean allHistoriesHaveSize(int instanceCount, int size) {
    for (int i = 0; i < instanceCount; i++) {
      if (store.getHistory("c" + i).size() != size) {
        return false;
      }
    }
    return true;
  }

  @Test
  void close_makesWaitingWorkersReturnEmptyPromptly() throws Exception {
    CompletableFuture<Optional<OrchestrationWorkItem>> orchestration = new CompletableFuture<>();
    CompletableFuture<Optional<ActivityWorkItem>> activity = new CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                orchestration.complete(store.nextOrchestration(Duration.ofSeconds(60)));
              } catch (Throwable e) {
                orchestration.completeExceptionally(e);
              }
            });
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                activity.complete(store.nextActivity(Duration.ofSeconds(60)));
              } catch (Throwable e) {
                activity.completeExceptionally(e);
              }
            });
    Thread.sleep(SHORT.toMillis()); // let both start waiting

    store.close();

    assertThat(orchestration.get(5, TimeUnit.SECONDS)).isEmpty();
    assertThat(activity.get(5, TimeUnit.SECONDS)).isEmpty();
    store.close(); // closing twice is harmless
  }

  @Test
  void afterClose_asynchronousWritesFailTheirFutureAndOthersThrow_storeClosed() throws Exception {
    start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "e"));
    ActivityWorkItem work = scheduleAndLockActivity("b");

    store.close();

    // Asynchronous methods never throw: the failure is in the future.
    CompletableFuture<Void> checkpoint = store.checkpoint(episode(item, 2).build());
    CompletableFuture<Void> result =
        store.completeActivity(work, new HistoryEvent.TaskCompleted(clock.instant(), 2, "1"));
    assertThat(failureOf(checkpoint)).isInstanceOf(StoreClosedException.class);
    assertThat(failureOf(result)).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(
            () -> store.createInstance(newInstance(pendingRecord("c", NAME, clock.instant()))))
        .isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.getInstance("a")).isInstanceOf(StoreClosedException.class);
  }

  @Test
  void completeActivity_withAResultThatIsNoActivityResult_failsItsFuture() throws Exception {
    ActivityWorkItem work = scheduleAndLockActivity("a");

    CompletableFuture<Void> result =
        store.completeActivity(work, new HistoryEvent.EventRaised(clock.instant(), "x", null));

    assertThat(failureOf(result))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TaskCompleted or TaskFailed");
  }

  // ---- durability (stores that keep data across close) ----

  @Test
  void handOut_saysTheHistoryIsEmptyOnlyWhenItIs() throws Exception {
    create("a");
    OrchestrationWorkItem first = lockNext("a");
    if (first.historyKnownEmpty()) {
      assertThat(store.getHistory("a")).isEmpty();
    }
    checkpoint(
        episode(first, 0)
            .events(new HistoryEvent.OrchestratorStarted(clock.instant()))
            .status(OrchestrationStatus.PENDING, clock.instant())
            .build());

    OrchestrationWorkItem second = lockNext(sendTo("a", "go"));

    assertThat(second.historyKnownEmpty()).as("one event is stored").isFalse();
  }

  @Test
  void reopen_handsOutAnInstanceWithNoHistoryAsKnownToHaveNone() throws Exception {
    start("b");
    sendTo("b", "go");
    create("a");

    reopenStore(); // nothing is known from memory now: the hand-out reads it

    OrchestrationWorkItem first = lockNext();
    OrchestrationWorkItem second = lockNext();
    OrchestrationWorkItem a = first.instance().instanceId().equals("a") ? first : second;
    OrchestrationWorkItem b = a == first ? second : first;
    assertThat(a.historyKnownEmpty())
        .as("a never ran: the engine need not read its history")
        .isTrue();
    assertThat(b.historyKnownEmpty()).isFalse();
  }

  @Test
  void reopen_keepsInstancesHistoryInboxAndTasksAndDispatchesThemAgain() throws Exception {
    InstanceRecord running = start("a");
    Instant due = clock.instant().plusSeconds(60);
    checkpoint(
        episode(lockNext(sendTo("a", "go")), 2)
            .events(raised("go", clock.instant()))
            .task(task(running, 3, "Work"))
            .message(new NewMessage("a", null, due, new HistoryEvent.TimerFired(due, 4, due)))
            .build());
    InstanceRecord pending = create("b");
    InstanceRecord row = store.getInstance("a").orElseThrow();
    List<HistoryEvent> history = store.getHistory("a");

    reopenStore();

    assertThat(store.getInstance("a")).contains(row);
    assertThat(store.getInstance("b")).contains(pending);
    assertThat(store.getHistory("a")).isEqualTo(history);
    assertThat(store.nextActivity(WAIT).orElseThrow().task()).isEqualTo(task(running, 3, "Work"));
    OrchestrationWorkItem b = lockNext();
    assertThat(b.instance().instanceId()).isEqualTo("b");
    assertNoOrchestrationWork();
    clock.set(due);
    assertThat(lockNext().messages())
        .extracting(InboxMessage::event)
        .containsExactly(new HistoryEvent.TimerFired(due, 4, due));
  }

  @Test
  void reopen_releasesLocksAndCountsTheInterruptedDeliveries() throws Exception {
    ActivityWorkItem work = scheduleAndLockActivity("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "e"));

    reopenStore();

    ActivityWorkItem again = store.nextActivity(WAIT).orElseThrow();
    assertThat(again.id()).isEqualTo(work.id());
    assertThat(again.deliveryCount()).isEqualTo(1);
    OrchestrationWorkItem redelivered = lockNext();
    assertThat(redelivered.messages())
        .extracting(InboxMessage::id)
        .containsExactlyElementsOf(item.messages().stream().map(InboxMessage::id).toList());
    assertThat(redelivered.messages()).extracting(InboxMessage::deliveryCount).containsOnly(1);
    assertThat(checkpointFailure(episode(item, 2).build())).isInstanceOf(LockLostException.class);
  }

  // ---- dead letters ----

  @Test
  void deadLetterActivity_failsTheTaskToItsInstanceAndKeepsItAsADeadLetter() throws Exception {
    InstanceRecord running = start("a");
    checkpoint(episode(lockNext(sendTo("a", "go")), 2).task(task(running, 2, "Work")).build());
    store.abandonActivity(store.nextActivity(WAIT).orElseThrow());
    ActivityWorkItem work = store.nextActivity(WAIT).orElseThrow();
    assertThat(work.deliveryCount()).isEqualTo(1);
    FailureDetails failure =
        new FailureDetails("dev.fermata.PoisonMessageException", "given up", null, null, true);

    store.deadLetterActivity(work, failure).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(store.nextActivity(SHORT)).as("a dead-lettered task is not handed out").isEmpty();
    assertThat(lockNext().messages())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.event())
                  .isEqualTo(new HistoryEvent.TaskFailed(clock.instant(), 2, failure));
              assertThat(m.executionId()).isEqualTo(running.executionId());
            });
    DeadLetter letter = store.deadLetters("a", 0, 10).stream().findFirst().orElseThrow();
    assertThat(letter.kind()).isEqualTo(DeadLetter.Kind.ACTIVITY);
    assertThat(letter.sourceId()).isEqualTo(work.id());
    assertThat(letter.executionId()).isEqualTo(running.executionId());
    assertThat(letter.event())
        .isEqualTo(new HistoryEvent.TaskScheduled(clock.instant(), 2, "Work", work.task().input()));
    assertThat(letter.description()).isEqualTo("Work");
    assertThat(letter.deliveryCount()).isEqualTo(2);
    assertThat(letter.deadLetteredAt()).isEqualTo(clock.instant());
    assertThat(letter.reason()).isEqualTo("given up");

    assertThat(store.redriveDeadLetter(letter.id()))
        .as("an activity's dead letter is returned, not re-driven")
        .contains(letter);
    assertThat(store.deadLetters("a", 0, 10)).containsExactly(letter);
    assertThat(store.nextActivity(SHORT)).isEmpty();
  }

  @Test
  void deadLetterActivity_withAStaleToken_isRefusedAndChangesNothing() throws Exception {
    ActivityWorkItem stale = scheduleAndLockActivity("a");
    store.abandonActivity(stale);
    ActivityWorkItem current = store.nextActivity(WAIT).orElseThrow();

    Throwable refused = failureOf(store.deadLetterActivity(stale, failureDetails()));

    assertThat(refused).isInstanceOf(LockLostException.class);
    assertThat(store.deadLetters("a", 0, 10)).isEmpty();
    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), 2, "1");
    store.completeActivity(current, result).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(lockNext().messages()).extracting(InboxMessage::event).containsExactly(result);
  }

  @Test
  void reopen_countsEveryInterruptedDeliveryOfATaskUpToItsDeadLetter() throws Exception {
    // The first delivery is the one a checkpoint hands its own worker (counted at insert).
    ActivityWorkItem first = scheduleAndLockActivity("a");
    assertThat(first.deliveryCount()).isZero();
    reopenStore();
    assertThat(store.nextActivity(WAIT).orElseThrow().deliveryCount()).isEqualTo(1);
    reopenStore();
    ActivityWorkItem third = store.nextActivity(WAIT).orElseThrow();
    assertThat(third.deliveryCount()).isEqualTo(2);

    store.deadLetterActivity(third, failureDetails()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    reopenStore();

    assertThat(store.nextActivity(SHORT)).isEmpty();
    assertThat(store.deadLetters("a", 0, 10))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.kind()).isEqualTo(DeadLetter.Kind.ACTIVITY);
              assertThat(d.deliveryCount()).isEqualTo(3);
            });
  }

  @Test
  void redrive_putsADeadLetteredMessageBackWithNoDeliveryCounted() throws Exception {
    start("a");
    OrchestrationWorkItem item = lockNext(sendTo("a", "poison"));
    checkpoint(episode(item, 2).deadLetter("kept failing").build());
    DeadLetter letter =
        store.deadLetters("a", 0, 10).stream()
            .filter(d -> d.event() instanceof HistoryEvent.EventRaised)
            .findFirst()
            .orElseThrow();
    assertThat(letter.kind()).isEqualTo(DeadLetter.Kind.MESSAGE);
    assertThat(letter.description()).isEqualTo("EventRaised poison");
    assertThat(letter.deliveryCount()).isEqualTo(1);
    assertThat(letter.reason()).isEqualTo("kept failing");

    assertThat(store.redriveDeadLetter(letter.id())).contains(letter);

    assertThat(store.deadLetters("a", 0, 10)).doesNotContain(letter);
    assertThat(lockNext().messages())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.event()).isEqualTo(letter.event());
              assertThat(m.executionId()).isEqualTo(letter.executionId());
              assertThat(m.deliveryCount()).isZero();
            });
    assertThat(store.redriveDeadLetter(letter.id())).as("re-driven already").isEmpty();
  }

  @Test
  void deadLetters_arePagedInIdOrderAndFilteredByInstance() throws Exception {
    start("a");
    start("b");
    checkpoint(episode(lockNext(sendTo("a", "one")), 2).deadLetter().build());
    checkpoint(episode(lockNext(sendTo("b", "two")), 2).deadLetter().build());
    checkpoint(episode(lockNext(sendTo("a", "three")), 2).deadLetter().build());

    List<DeadLetter> all = store.deadLetters(null, 0, 100);

    assertThat(all).extracting(DeadLetter::instanceId).contains("a", "b");
    assertThat(all).extracting(DeadLetter::id).isSorted().doesNotHaveDuplicates();
    assertThat(store.deadLetters(null, 0, 1)).containsExactly(all.get(0));
    assertThat(store.deadLetters(null, all.get(0).id(), 100))
        .containsExactlyElementsOf(all.subList(1, all.size()));
    assertThat(store.deadLetters("b", 0, 100))
        .containsExactlyElementsOf(all.stream().filter(d -> d.instanceId().equals("b")).toList());
    assertThatThrownBy(() -> store.deadLetters(null, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
  }

  // ---- durable entities (see EntityRows) ----

  private static final String ENTITY = "@counter@k1";

  private HistoryEvent.EntityOperationRequested operation(String name) {
    return new HistoryEvent.EntityOperationRequested(clock.instant(), name, "1", null, null, -1);
  }

  @Test
  void sendMessage_toAnEntityWithoutARow_createsTheRowAndEnqueuesTheMessage() throws Exception {
    Optional<OrchestrationStatus> status =
        store.sendMessage(
            NewMessage.now(ENTITY, operation("add")), EnumSet.allOf(OrchestrationStatus.class));

    assertThat(status).contains(OrchestrationStatus.PENDING);
    assertThat(store.getInstance(ENTITY)).contains(EntityRows.newRow(ENTITY, clock.instant()));
    OrchestrationWorkItem item = lockNext(ENTITY);
    assertThat(item.messages()).extracting(InboxMessage::event).containsExactly(operation("add"));
    assertThat(store.getInstance(ENTITY).orElseThrow().name()).isEqualTo("counter");
  }

  @Test
  void sendMessage_toAnInstanceIdNotOfAnEntity_stillCreatesNothing() throws Exception {
    assertThat(
            store.sendMessage(
                NewMessage.now("counter", operation("add")),
                EnumSet.allOf(OrchestrationStatus.class)))
        .isEmpty();
    assertThat(store.getInstance("counter")).isEmpty();
    assertNoOrchestrationWork();
  }

  @Test
  void checkpoint_messageForAnEntityWithoutARow_createsTheEntity() throws Exception {
    start("a");

    checkpoint(
        episode(lockNext(sendTo("a", "go")), 2)
            .message(NewMessage.now(ENTITY, operation("add")))
            .build());

    OrchestrationWorkItem item = lockNext(ENTITY);
    assertThat(item.instance().status()).isEqualTo(OrchestrationStatus.PENDING);
    assertThat(item.messages()).extracting(InboxMessage::event).containsExactly(operation("add"));
  }

  @Test
  void entityCheckpoint_writesTheStateRowWithoutHistory_andConsumesItsMessages() throws Exception {
    store.sendMessage(
        NewMessage.now(ENTITY, operation("add")), Set.of(OrchestrationStatus.PENDING));
    store.sendMessage(
        NewMessage.now(ENTITY, operation("add")), Set.of(OrchestrationStatus.PENDING));
    OrchestrationWorkItem item = lockNext(ENTITY);
    assertThat(item.messages()).hasSize(2);
    InstanceRecord row = entityRow(OrchestrationStatus.RUNNING, "2", "{\"lockedBy\":null}");

    checkpoint(episode(item, 0).instance(row).build());

    assertThat(store.getInstance(ENTITY)).contains(row);
    assertThat(store.getHistory(ENTITY)).isEmpty();
    assertNoOrchestrationWork();
  }

  @Test
  void purgeInstance_ofAnEmptyEntity_isRefusedWhileItHasMessages() throws Exception {
    store.sendMessage(
        NewMessage.now(ENTITY, operation("delete")), Set.of(OrchestrationStatus.PENDING));
    checkpoint(
        episode(lockNext(ENTITY), 0)
            .instance(entityRow(OrchestrationStatus.COMPLETED, null, null))
            .build());
    store.sendMessage(
        NewMessage.now(ENTITY, operation("add")), EnumSet.allOf(OrchestrationStatus.class));

    assertThat(store.purgeInstance(ENTITY)).isFalse();
    OrchestrationWorkItem item = lockNext(ENTITY);
    assertThat(item.messages()).extracting(InboxMessage::event).containsExactly(operation("add"));
    checkpoint(
        episode(item, 0).instance(entityRow(OrchestrationStatus.COMPLETED, null, null)).build());

    assertThat(store.purgeInstance(ENTITY)).isTrue();
    assertThat(store.getInstance(ENTITY)).isEmpty();
  }

  @Test
  void queries_leaveEntityRowsOut_unlessThePrefixStartsWithAt() throws Exception {
    start("a");
    store.sendMessage(
        NewMessage.now(ENTITY, operation("delete")), EnumSet.allOf(OrchestrationStatus.class));
    checkpoint(
        episode(lockNext(ENTITY), 0)
            .instance(entityRow(OrchestrationStatus.COMPLETED, null, null))
            .build());
    store.sendMessage(
        NewMessage.now("@other@k", operation("add")), EnumSet.allOf(OrchestrationStatus.class));

    assertThat(ids(InstanceFilter.all())).containsExactly("a");
    assertThat(ids(new InstanceFilter(Set.of(), null, null, null, "@")))
        .containsExactlyInAnyOrder(ENTITY, "@other@k");
    assertThat(ids(new InstanceFilter(Set.of(), null, null, null, "@counter@")))
        .containsExactly(ENTITY);
    assertThat(store.purgeInstances(InstanceFilter.all())).isZero();
    assertThat(store.getInstance(ENTITY)).isPresent();
  }

  private InstanceRecord entityRow(OrchestrationStatus status, String state, String scheduler) {
    InstanceRecord created = store.getInstance(ENTITY).orElseThrow();
    return new InstanceRecord(
        ENTITY,
        "counter",
        EntityRows.EXECUTION_ID,
        status,
        null,
        state,
        null,
        scheduler,
        created.createdAt(),
        clock.instant(),
        null,
        status.isTerminal() ? clock.instant() : null,
        null,
        null,
        null);
  }

  // ---- helpers ----

  /** Closes the store and opens its data again; skips the test for a store that keeps nothing. */
  protected void reopenStore() {
    store.close();
    DurableStore reopened = reopen(store, clock);
    assumeTrue(reopened != null, "the store keeps nothing across close");
    store = reopened;
  }

  protected InstanceRecord create(String instanceId) {
    return createAt(instanceId, NAME, clock.instant());
  }

  protected InstanceRecord createAt(String instanceId, String name, Instant createdAt) {
    InstanceRecord record = pendingRecord(instanceId, name, createdAt);
    assertThat(store.createInstance(newInstance(record))).isTrue();
    return record;
  }

  /** Creates an instance and runs its first episode: Running, with two history events. */
  protected InstanceRecord start(String instanceId) throws Exception {
    InstanceRecord record = create(instanceId);
    OrchestrationWorkItem item = lockNext();
    assertThat(item.instance().instanceId()).isEqualTo(instanceId);
    InstanceRecord running = record.withStatus(OrchestrationStatus.RUNNING, clock.instant());
    checkpoint(
        episode(item, 0)
            .events(new HistoryEvent.OrchestratorStarted(clock.instant()), startEvent(record))
            .instance(running)
            .build());
    return running;
  }

  /** Takes the next work item and completes the instance in one episode. */
  private void completeNext() throws Exception {
    OrchestrationWorkItem item = lockNext();
    checkpoint(
        episode(item, 0)
            .events(startEvent(item.instance()))
            .status(OrchestrationStatus.COMPLETED, clock.instant())
            .build());
  }

  private ActivityWorkItem scheduleAndLockActivity(String instanceId) throws Exception {
    InstanceRecord running = start(instanceId);
    checkpoint(
        episode(lockNext(sendTo(instanceId, "go")), 2)
            .events(raised("go", clock.instant()))
            .task(task(running, 2, "Work"))
            .build());
    return store.nextActivity(WAIT).orElseThrow();
  }

  /** Sends an event to a Running or Pending instance; returns the instance id. */
  protected String sendTo(String instanceId, String eventName) {
    Optional<OrchestrationStatus> status =
        store.sendMessage(
            NewMessage.now(instanceId, raised(eventName, clock.instant())),
            Set.of(OrchestrationStatus.RUNNING, OrchestrationStatus.PENDING));
    assertThat(status).isPresent();
    return instanceId;
  }

  protected OrchestrationWorkItem lockNext() throws InterruptedException {
    return store.nextOrchestration(WAIT).orElseThrow(() -> new AssertionError("no work came"));
  }

  /** Locks the next work item, which must be for {@code instanceId}. */
  protected OrchestrationWorkItem lockNext(String instanceId) throws InterruptedException {
    OrchestrationWorkItem item = lockNext();
    assertThat(item.instance().instanceId()).isEqualTo(instanceId);
    return item;
  }

  protected void assertNoOrchestrationWork() throws InterruptedException {
    assertThat(store.nextOrchestration(SHORT)).isEmpty();
  }

  protected void checkpoint(Checkpoint checkpoint) throws Exception {
    store.checkpoint(checkpoint).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  protected Throwable checkpointFailure(Checkpoint checkpoint) throws Exception {
    return failureOf(store.checkpoint(checkpoint));
  }

  protected static Throwable failureOf(CompletableFuture<?> future) throws Exception {
    try {
      future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the operation to fail, but it succeeded");
  }

  /** After {@link #start}, the instance still has exactly that row and history, and no tasks. */
  private void assertNothingAppliedAfterStart(String instanceId, InstanceRecord running)
      throws InterruptedException {
    assertThat(store.getInstance(instanceId)).contains(running);
    assertThat(store.getHistory(instanceId)).hasSize(2);
    assertThat(store.nextActivity(SHORT)).isEmpty();
  }

  private List<String> ids(InstanceFilter filter) {
    return store.queryInstances(filter, 100, null).instances().stream()
        .map(InstanceRecord::instanceId)
        .toList();
  }

  private static FailureDetails failureDetails() {
    return new FailureDetails("java.lang.IllegalStateException", "boom", null, null, false);
  }
}
