package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.Fermata;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.InstanceStatusException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.Task;
import dev.fermata.TaskFailedException;
import dev.fermata.UnknownFunctionException;
import dev.fermata.entities.CleanEntityStorageResult;
import dev.fermata.entities.CriticalSection;
import dev.fermata.entities.EntityContext;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntityMetadata;
import dev.fermata.entities.EntityQuery;
import dev.fermata.entities.EntityQueryResult;
import dev.fermata.entities.LockingRulesViolationException;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.NewMessage;
import dev.fermata.testsupport.Poll;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Durable entities end to end through a real engine, with the instance cache and with every
 * orchestration episode replayed from history. A subclass per store says which store.
 */
@ParameterizedClass(name = "instance cache size {0}")
@ValueSource(ints = {10_000, 0})
public abstract class EntityFeaturesTest extends EngineTestSupport {
  @Parameter int cacheSize;

  @Override
  protected int cacheSize() {
    return cacheSize;
  }

  static final EntityId COUNTER = new EntityId(Counter.NAME, "c1");

  /** A class-based entity: the fields are the state, public methods the operations. */
  public static class Account {
    private int balance;
    private List<String> log = new ArrayList<>();

    public void deposit(int amount) {
      balance += amount;
      log.add("+" + amount);
    }

    public void withdraw(int amount) {
      balance -= amount;
      log.add("-" + amount);
      if (balance < 0) {
        throw new IllegalStateException("insufficient funds: balance would be " + balance);
      }
    }

    public int balance() {
      return balance;
    }

    public List<String> history() {
      return log;
    }

    /** Uses the context: passes money on to another account. */
    public void forward(int amount, EntityContext ctx) {
      withdraw(amount);
      ctx.signalEntity(new EntityId("Account", "sink"), "deposit", amount);
    }
  }

  private Fermata startWith(UnaryOperator<Fermata.Builder> more) {
    return start(
        b -> more.apply(b.entity(Counter.NAME, Counter.FUNCTION).entity("Account", Account.class)));
  }

  private Integer counterValue(EntityId id) {
    return client.getEntity(id, Integer.class).map(s -> s.state()).orElse(null);
  }

  private void awaitCounter(EntityId id, int expected) {
    Poll.until(id + " == " + expected, () -> Integer.valueOf(expected).equals(counterValue(id)));
  }

  private String lockHolder(EntityId id) {
    for (EntityMetadata m :
        client
            .queryEntities(EntityQuery.all().withName(id.name()).withIncludeDeleted(true))
            .entities()) {
      if (m.id().equals(id)) {
        return m.lockedBy();
      }
    }
    return null;
  }

  // ---- ids ----

  @Test
  void entityId_nameIsCaseInsensitive_keyIsCaseSensitive() {
    assertThat(new EntityId("Counter", "A")).isEqualTo(new EntityId("COUNTER", "A"));
    assertThat(new EntityId("Counter", "A")).isNotEqualTo(new EntityId("counter", "a"));
    assertThat(new EntityId("Counter", "k@y").toString()).isEqualTo("@counter@k@y");
    assertThat(EntityId.parse("@counter@k@y")).isEqualTo(new EntityId("counter", "k@y"));
    assertThatThrownBy(() -> new EntityId("a@b", "k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'@'");
    assertThatThrownBy(() -> EntityId.parse("counter"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@name@key");
  }

  @Test
  void signals_fromClient_createTheEntity_andDifferentKeysAreDifferentEntities() {
    startWith(b -> b);
    assertThat(client.getEntity(COUNTER, Integer.class)).isEmpty();

    client.signalEntity(new EntityId("COUNTER", "c1"), "add", 5);
    client.signalEntity(COUNTER, "add", 7);
    client.signalEntity(new EntityId("counter", "C1"), "add", 100);

    awaitCounter(COUNTER, 12);
    awaitCounter(new EntityId("counter", "C1"), 100);
    assertThat(client.getEntity(COUNTER, Integer.class).orElseThrow().lastOperationTime())
        .isNotNull();
  }

  @Test
  void signal_toUnknownEntity_isRefusedWithTheKnownNames() {
    startWith(b -> b);
    assertThatThrownBy(() -> client.signalEntity(new EntityId("Nope", "x"), "add", 1))
        .isInstanceOf(UnknownFunctionException.class)
        .hasMessageContaining("nope")
        .hasMessageContaining("counter");
  }

  @Test
  void orchestrationControlOperations_onAnEntityId_areRefused_andCreateNothing() {
    startWith(b -> b);
    assertThatThrownBy(() -> client.raiseEvent("@counter@x", "go", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("signalEntity");
    assertThatThrownBy(() -> client.terminate("@counter@x", "no"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(engine.store().getInstance("@counter@x")).isEmpty();
  }

  // ---- orchestrations: call and signal ----

  @Test
  void callEntity_returnsTheResult_andSignalsArriveInOrderBeforeLaterCalls() {
    startWith(
        b ->
            b.orchestrator(
                "Count",
                ctx -> {
                  for (int i = 1; i <= 10; i++) {
                    ctx.signalEntity(COUNTER, "add", i);
                  }
                  int afterSignals = ctx.callEntity(COUNTER, "get", null, Integer.class).await();
                  ctx.callEntity(COUNTER, "reset", null, Void.class).await();
                  ctx.callEntity(COUNTER, "add", 3, Void.class).await();
                  int last = ctx.callEntity(COUNTER, "get", null, Integer.class).await();
                  return afterSignals + "," + last;
                }));

    InstanceState done = run("Count", null);

    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("55,3");
    assertThat(counterValue(COUNTER)).isEqualTo(3);
  }

  @Test
  void operationException_reachesTheCaller_andLeavesTheStateAsItWas() {
    startWith(
        b ->
            b.orchestrator(
                "Overdraw",
                ctx -> {
                  EntityId acct = new EntityId("Account", "a");
                  ctx.callEntity(acct, "deposit", 10, Void.class).await();
                  String error;
                  try {
                    ctx.callEntity(acct, "withdraw", 25, Void.class).await();
                    error = "no error";
                  } catch (TaskFailedException e) {
                    error = e.getFailureDetails().errorMessage();
                  }
                  ctx.callEntity(acct, "withdraw", 4, Void.class).await();
                  int balance = ctx.callEntity(acct, "balance", null, Integer.class).await();
                  return error + "|" + balance;
                }));

    InstanceState done = run("Overdraw", null);

    assertThat(done.readOutputAs(String.class))
        .isEqualTo("insufficient funds: balance would be -15|6");
    Account state =
        client.getEntity(new EntityId("account", "a"), Account.class).orElseThrow().state();
    assertThat(state.balance).isEqualTo(6);
    assertThat(state.log).containsExactly("+10", "-4"); // the failed withdrawal left no trace
  }

  @Test
  void oneBatch_runsManyOperations_rollsBackOnlyTheFailingOne_andDropsItsSignals() {
    GatedStore gated = new GatedStore(newStore());
    start(gated, b -> b.entity(Counter.NAME, Counter.FUNCTION).entity("Account", Account.class));
    EntityId acct = new EntityId("Account", "batch");
    client.signalEntity(acct, "deposit", 5);
    client.signalEntity(acct, "forward", 2); // balance 3, signals the sink 2
    client.signalEntity(acct, "forward", 50); // throws: its withdrawal and signal are undone
    for (int i = 0; i < 20; i++) {
      client.signalEntity(acct, "deposit", 1);
    }

    gated.open();
    Poll.until("23 in the account", () -> balanceOf(acct) == 23);
    Poll.until("2 in the sink", () -> balanceOf(new EntityId("Account", "sink")) == 2);

    List<Checkpoint> batches = gated.checkpoints(acct.toString());
    assertThat(batches).hasSize(1);
    assertThat(batches.get(0).consumedMessageIds()).hasSize(23);
    // Only the successful forward's signal left the batch.
    assertThat(batches.get(0).newMessages())
        .singleElement()
        .satisfies(m -> assertThat(m.instanceId()).isEqualTo("@account@sink"));
    assertThat(gated.getHistory(acct.toString())).isEmpty(); // the state is a row, no history
  }

  private int balanceOf(EntityId id) {
    return client.getEntity(id, Account.class).map(s -> s.state().balance).orElse(-1);
  }

  @Test
  void batchSize_boundsTheOperationsPerCheckpoint() {
    GatedStore gated = new GatedStore(newStore());
    start(gated, b -> b.entity(Counter.NAME, Counter.FUNCTION).maxEntityOperationBatchSize(4));
    for (int i = 0; i < 10; i++) {
      client.signalEntity(COUNTER, "add", 1);
    }
    gated.open();
    awaitCounter(COUNTER, 10);
    List<Checkpoint> batches = gated.checkpoints(COUNTER.toString());
    assertThat(batches).allSatisfy(c -> assertThat(c.consumedMessageIds().size()).isLessThan(5));
    assertThat(batches.stream().mapToInt(c -> c.consumedMessageIds().size()).sum()).isEqualTo(10);
  }

  @Test
  void classEntity_implicitDelete_removesTheEntityFromReadsAndListings() {
    startWith(b -> b);
    EntityId acct = new EntityId("Account", "gone");
    client.signalEntity(acct, "deposit", 1);
    Poll.until("the account exists", () -> balanceOf(acct) == 1);
    client.signalEntity(acct, "delete", null);
    Poll.until("the account is gone", () -> client.getEntity(acct, Account.class).isEmpty());
    assertThat(client.queryEntities(EntityQuery.all().withName("account")).entities())
        .noneMatch(m -> m.id().equals(acct));
    assertThat(
            client
                .queryEntities(EntityQuery.all().withName("account").withIncludeDeleted(true))
                .entities())
        .anyMatch(m -> m.id().equals(acct));
  }

  @Test
  void scheduledSignal_runsNotBeforeItsTime() {
    startWith(b -> b);
    Instant at = Instant.now().plusMillis(1500);
    client.signalEntity(COUNTER, "add", 9, at);
    client.signalEntity(new EntityId("Counter", "now"), "add", 1);
    awaitCounter(new EntityId("Counter", "now"), 1);
    awaitCounter(COUNTER, 9);
    assertThat(client.getEntity(COUNTER, Integer.class).orElseThrow().lastOperationTime())
        .isAfterOrEqualTo(at.minusMillis(1)); // stores keep milliseconds
  }

  @Test
  void orchestrationSignal_atAScheduledTime_isRecordedAndDelivered() {
    startWith(
        b ->
            b.orchestrator(
                "Later",
                ctx -> {
                  ctx.signalEntity(COUNTER, "add", 4, ctx.currentTime().plusMillis(500));
                  return null;
                }));
    InstanceState done = run("Later", null);
    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    awaitCounter(COUNTER, 4);
    assertThat(client.getHistory(done.getInstanceId()))
        .anySatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        HistoryEvent.EntityOperationSent.class,
                        s -> assertThat(s.scheduledTime()).isNotNull()));
  }

  // ---- entities sending messages ----

  @Test
  void entity_signalsOtherEntities_andStartsOrchestrations() {
    startWith(
        b ->
            b.entity(
                    "Spawner",
                    ctx -> {
                      int n = ctx.getInput(Integer.class);
                      for (int i = 0; i < n; i++) {
                        ctx.signalEntity(COUNTER, "add", 1);
                      }
                      return ctx.scheduleNewOrchestration("Hello", "entity", "spawned-1");
                    })
                .orchestrator("Hello", ctx -> "hello from " + ctx.getInput(String.class)));
    client.signalEntity(new EntityId("Spawner", "s"), "go", 5);

    awaitCounter(COUNTER, 5);
    Poll.until("the orchestration exists", () -> client.getInstance("spawned-1").isPresent());
    InstanceState hello = client.waitForCompletion("spawned-1", WAIT);
    assertThat(hello.readOutputAs(String.class)).isEqualTo("hello from entity");
  }

  // ---- critical sections ----

  @Test
  void criticalSection_defersOtherSenders_untilItCloses() {
    EntityId a = new EntityId("Counter", "a");
    EntityId b = new EntityId("Counter", "b");
    startWith(
        builder ->
            builder.orchestrator(
                "Move",
                ctx -> {
                  int moved;
                  try (CriticalSection cs = ctx.lockEntities(b, a)) {
                    assertThat(cs.lockedEntities()).containsExactly(a, b); // global order
                    ctx.waitForExternalEvent("go", Void.class).await();
                    moved = ctx.callEntity(a, "get", null, Integer.class).await();
                    Task<Void> one = ctx.callEntity(a, "add", -moved, Void.class);
                    Task<Void> two = ctx.callEntity(b, "add", moved, Void.class);
                    Task.allOf(List.of(one, two)).await();
                  }
                  return moved;
                }));
    client.signalEntity(a, "add", 10);
    awaitCounter(a, 10);
    String id = client.scheduleNew("Move", null);
    Poll.until("a is locked", () -> id.equals(lockHolder(a)));
    Poll.until("b is locked", () -> id.equals(lockHolder(b)));

    client.signalEntity(a, "add", 1000); // deferred until the section closes
    client.raiseEvent(id, "go", null);
    InstanceState done = client.waitForCompletion(id, WAIT);

    assertThat(done.readOutputAs(Integer.class)).isEqualTo(10);
    awaitCounter(a, 1000); // 10 - 10, then the deferred + 1000
    assertThat(counterValue(b)).isEqualTo(10);
    Poll.until("a is released", () -> lockHolder(a) == null);
    Poll.until("b is released", () -> lockHolder(b) == null);
  }

  @Test
  void criticalSections_onOverlappingEntities_neverDeadlock_andKeepTheTotal() {
    List<EntityId> accounts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      accounts.add(new EntityId("Counter", "acct" + i));
    }
    startWith(
        b ->
            b.orchestrator(
                "Transfer",
                ctx -> {
                  int[] pair = ctx.getInput(int[].class);
                  EntityId from = accounts.get(pair[0]);
                  EntityId to = accounts.get(pair[1]);
                  try (CriticalSection cs = ctx.lockEntities(from, to)) {
                    int balance = ctx.callEntity(from, "get", null, Integer.class).await();
                    ctx.callEntity(from, "add", -balance / 2, Void.class).await();
                    ctx.callEntity(to, "add", balance / 2, Void.class).await();
                  }
                  return null;
                }));
    for (EntityId acct : accounts) {
      client.signalEntity(acct, "add", 1000);
    }
    for (EntityId acct : accounts) {
      awaitCounter(acct, 1000);
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      int from = i % 4;
      int to = (i * 3 + 1) % 4 == from ? (from + 1) % 4 : (i * 3 + 1) % 4;
      ids.add(client.scheduleNew("Transfer", new int[] {from, to}));
    }
    for (String id : ids) {
      assertThat(client.waitForCompletion(id, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);
    }
    int total = accounts.stream().mapToInt(this::counterValue).sum();
    assertThat(total).isEqualTo(4000);
  }

  @Test
  void criticalSectionRules_areEnforced_withAClearException() {
    EntityId a = new EntityId("Counter", "a");
    EntityId other = new EntityId("Counter", "other");
    startWith(
        b ->
            b.orchestrator("Child", ctx -> null)
                .orchestrator(
                    "Rules",
                    ctx -> {
                      List<String> errors = new ArrayList<>();
                      try (CriticalSection cs = ctx.lockEntities(a)) {
                        assertThat(ctx.isInCriticalSection()).isTrue();
                        tryRule(errors, () -> ctx.lockEntities(other));
                        tryRule(errors, () -> ctx.callEntity(other, "get", null, Integer.class));
                        tryRule(errors, () -> ctx.signalEntity(a, "add", 1));
                        tryRule(
                            errors, () -> ctx.callSubOrchestrator("Child", null, null, Void.class));
                        Task<Integer> first = ctx.callEntity(a, "get", null, Integer.class);
                        tryRule(errors, () -> ctx.callEntity(a, "get", null, Integer.class));
                        first.await();
                        ctx.callEntity(a, "get", null, Integer.class)
                            .await(); // one at a time: fine
                      }
                      assertThat(ctx.isInCriticalSection()).isFalse();
                      ctx.signalEntity(a, "add", 1); // allowed again outside
                      return errors;
                    }));

    InstanceState done = run("Rules", null);

    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    String[] errors = done.readOutputAs(String[].class);
    assertThat(errors).hasSize(5);
    assertThat(errors[0]).contains("another critical section");
    assertThat(errors[1]).contains("has not locked");
    assertThat(errors[2]).contains("signals entity @counter@a");
    assertThat(errors[3]).contains("sub-orchestration 'Child'");
    assertThat(errors[4]).contains("still in flight");
    awaitCounter(a, 1);
  }

  private static void tryRule(List<String> errors, Runnable action) {
    try {
      action.run();
      errors.add("allowed");
    } catch (LockingRulesViolationException e) {
      errors.add(e.getMessage());
    }
  }

  @Test
  void locks_areReleased_whenTheOrchestrationCompletesFailsOrContinuesAsNew_withoutClosing() {
    EntityId a = new EntityId("Counter", "held");
    startWith(
        b ->
            b.orchestrator(
                    "ForgetToClose",
                    ctx -> {
                      ctx.lockEntities(a);
                      return ctx.callEntity(a, "get", null, Integer.class).await();
                    })
                .orchestrator(
                    "FailInside",
                    ctx -> {
                      ctx.lockEntities(a);
                      throw new IllegalStateException("boom inside the section");
                    })
                .orchestrator(
                    "Again",
                    ctx -> {
                      int round = ctx.getInput(Integer.class);
                      ctx.lockEntities(a);
                      ctx.callEntity(a, "add", 1, Void.class).await();
                      if (round < 3) {
                        ctx.continueAsNew(round + 1);
                        return null;
                      }
                      return round;
                    }));

    assertThat(run("ForgetToClose", null).getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    Poll.until("released after completion", () -> lockHolder(a) == null);
    InstanceState failed = run("FailInside", null);
    assertThat(failed.getStatus()).isEqualTo(OrchestrationStatus.FAILED);
    Poll.until("released after failure", () -> lockHolder(a) == null);
    assertThatThrownBy(() -> client.rewind(failed.getInstanceId(), "again"))
        .isInstanceOf(InstanceStatusException.class)
        .hasMessageContaining("critical section");
    InstanceState again = run("Again", 1);
    assertThat(again.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(again.readOutputAs(Integer.class)).isEqualTo(3);
    Poll.until("released after the last execution", () -> lockHolder(a) == null);
    awaitCounter(a, 3);
  }

  @Test
  void locks_areReleased_whenTheOrchestrationIsTerminated() {
    EntityId a = new EntityId("Counter", "t");
    startWith(
        b ->
            b.orchestrator(
                    "Hold",
                    ctx -> {
                      try (CriticalSection cs = ctx.lockEntities(a)) {
                        ctx.waitForExternalEvent("never", Void.class).await();
                      }
                      return null;
                    })
                .orchestrator(
                    "Use",
                    ctx -> {
                      try (CriticalSection cs = ctx.lockEntities(a)) {
                        return ctx.callEntity(a, "get", null, Integer.class).await();
                      }
                    }));
    String holder = client.scheduleNew("Hold", null);
    Poll.until("locked", () -> holder.equals(lockHolder(a)));
    String user = client.scheduleNew("Use", null);
    client.signalEntity(a, "add", 2); // deferred behind the lock
    client.terminate(holder, "stop");

    InstanceState used = client.waitForCompletion(user, WAIT);
    assertThat(used.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    awaitCounter(a, 2);
    Poll.until("released", () -> lockHolder(a) == null);
  }

  // ---- client: listing, cleanup ----

  @Test
  void queryEntities_filtersByName_andTime_pagesAndFetchesState() {
    startWith(b -> b);
    for (int i = 0; i < 5; i++) {
      client.signalEntity(new EntityId("Counter", "k" + i), "add", i + 1);
    }
    client.signalEntity(new EntityId("Account", "x"), "deposit", 3);
    for (int i = 0; i < 5; i++) {
      awaitCounter(new EntityId("Counter", "k" + i), i + 1);
    }
    Poll.until("account", () -> balanceOf(new EntityId("Account", "x")) == 3);

    List<EntityMetadata> all = new ArrayList<>();
    EntityQuery q = EntityQuery.all().withName("COUNTER").withPageSize(2).withFetchState(true);
    int pages = 0;
    String token = null;
    do {
      EntityQueryResult page = client.queryEntities(q.withContinuationToken(token));
      assertThat(page.entities().size()).isLessThanOrEqualTo(2);
      all.addAll(page.entities());
      token = page.continuationToken();
      pages++;
    } while (token != null);
    assertThat(pages).isGreaterThanOrEqualTo(3);
    assertThat(all)
        .extracting(m -> m.id().key())
        .containsExactlyInAnyOrder("k0", "k1", "k2", "k3", "k4");
    assertThat(all)
        .extracting(EntityMetadata::stateJson)
        .containsExactlyInAnyOrder("1", "2", "3", "4", "5");

    assertThat(client.queryEntities(EntityQuery.all()).entities()).hasSize(6);
    assertThat(client.queryEntities(EntityQuery.all()).entities())
        .allSatisfy(m -> assertThat(m.stateJson()).isNull());
    Instant future = Instant.now().plusSeconds(3600);
    assertThat(
            client
                .queryEntities(EntityQuery.all().withLastOperationBetween(future, null))
                .entities())
        .isEmpty();
    assertThat(
            client
                .queryEntities(EntityQuery.all().withLastOperationBetween(Instant.EPOCH, future))
                .entities())
        .hasSize(6);
    // Orchestration queries never list entity rows.
    assertThat(client.query(InstanceQuery.all()).instances()).isEmpty();
    assertThat(client.query(InstanceQuery.all().withInstanceIdPrefix("@")).instances()).isEmpty();
  }

  @Test
  void cleanEntityStorage_removesEmptyEntities_andReleasesOrphanedLocks() {
    startWith(
        b -> b.orchestrator("Wait", ctx -> ctx.waitForExternalEvent("x", Void.class).await()));
    EntityId empty = new EntityId("Counter", "empty");
    EntityId kept = new EntityId("Counter", "kept");
    EntityId orphan = new EntityId("Counter", "orphan");
    client.signalEntity(empty, "add", 1);
    client.signalEntity(empty, "delete", null);
    client.signalEntity(kept, "add", 1);
    awaitCounter(kept, 1);
    Poll.until("empty deleted", () -> client.getEntity(empty, Integer.class).isEmpty());

    // A lock whose holder ends without releasing it, as after a lost release: the holder is
    // running when the lock is granted, then terminated with no section in its history.
    String holder = client.scheduleNew("Wait", null);
    InstanceState running = client.waitForStart(holder, WAIT);
    engine
        .store()
        .sendMessage(
            NewMessage.now(
                orphan.toString(),
                new HistoryEvent.EntityLockRequest(
                    Instant.now(),
                    List.of(orphan.toString()),
                    0,
                    holder,
                    running.getExecutionId(),
                    999)),
            EnumSet.allOf(OrchestrationStatus.class));
    Poll.until("orphan locked", () -> holder.equals(lockHolder(orphan)));
    client.terminate(holder, "gone");
    client.waitForCompletion(holder, WAIT);
    client.signalEntity(orphan, "add", 5); // stuck behind the orphaned lock
    Poll.until(
        "the add is queued",
        () ->
            engine
                .store()
                .getInstance(orphan.toString())
                .orElseThrow()
                .customStatus()
                .contains("add"));
    assertThat(counterValue(orphan)).isNull();

    CleanEntityStorageResult result = client.cleanEntityStorage(true, true);

    assertThat(result.orphanedLocksReleased()).isEqualTo(1);
    assertThat(result.emptyEntitiesRemoved()).isEqualTo(1);
    awaitCounter(orphan, 5);
    assertThat(lockHolder(orphan)).isNull();
    assertThat(engine.store().getInstance(empty.toString())).isEmpty();
    assertThat(counterValue(kept)).isEqualTo(1);
    assertThat(client.cleanEntityStorage(true, true)).isEqualTo(new CleanEntityStorageResult(0, 0));
  }

  @Test
  void getEntity_ofAMissingEntity_isEmpty_andStateReadsMayLagQueuedOperations() {
    GatedStore gated = new GatedStore(newStore());
    start(gated, b -> b.entity(Counter.NAME, Counter.FUNCTION));
    assertThat(client.getEntity(COUNTER, Integer.class)).isEqualTo(Optional.empty());
    client.signalEntity(COUNTER, "add", 1);
    // The row exists once a message is sent, but the operation has not run: no state to read.
    assertThat(client.getEntity(COUNTER, Integer.class)).isEmpty();
    gated.open();
    awaitCounter(COUNTER, 1);
  }
}
