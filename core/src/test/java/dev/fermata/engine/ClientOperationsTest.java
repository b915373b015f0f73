package dev.fermata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.FermataClient.QueryResult;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceAlreadyExistsException;
import dev.fermata.InstanceNotFoundException;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.InstanceStatusException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.RetryPolicy;
import dev.fermata.WaitTimeoutException;
import dev.fermata.history.HistoryEvent;
import dev.fermata.testsupport.Inbox;
import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** The client's operations on instances, end to end, with and without the instance cache. */
@ParameterizedClass(name = "instance cache size {0}")
@ValueSource(ints = {10_000, 0}) // with the cache, and with every episode replayed from history
public abstract class ClientOperationsTest extends EngineTestSupport {
  @Parameter int cacheSize;

  @Override
  protected int cacheSize() {
    return cacheSize;
  }

  private void startWaiter() {
    start(
        b ->
            b.orchestrator("Waiter", ctx -> ctx.waitForExternalEvent("go", String.class).await())
                .orchestrator(
                    "Parent",
                    ctx ->
                        ctx.callSubOrchestrator(
                                "Waiter", null, ctx.getInstanceId() + ":child", String.class)
                            .await())
                .orchestrator(
                    "Grandparent",
                    ctx ->
                        ctx.callSubOrchestrator(
                                "Parent", null, ctx.getInstanceId() + ":child", String.class)
                            .await()));
  }

  /** Starts a Grandparent and returns its id, its child's and its grandchild's, all running. */
  private List<String> startFamily() {
    String top = client.scheduleNew("Grandparent", null);
    List<String> family = List.of(top, top + ":child", top + ":child:child");
    for (String id : family) {
      awaitStatus(id, OrchestrationStatus.RUNNING);
    }
    return family;
  }

  private void awaitStatus(String id, OrchestrationStatus status) {
    Poll.until(
        id + " to be " + status,
        () -> client.getInstance(id).map(s -> s.getStatus() == status).orElse(false));
  }

  private void awaitInboxProcessed(String id) {
    Inbox.awaitProcessed(client, id);
  }

  @Test
  void scheduleNew_withTheIdOfARunningInstance_isRejected_butAFinishedOneIsReplaced() {
    startWaiter();
    client.scheduleNew("Waiter", null, StartOptions.withId("order-1"));

    assertThatThrownBy(() -> client.scheduleNew("Waiter", null, StartOptions.withId("order-1")))
        .isInstanceOf(InstanceAlreadyExistsException.class)
        .hasMessageContaining("'order-1'");

    client.raiseEvent("order-1", "go", "first");
    assertThat(client.waitForCompletion("order-1", WAIT).readOutputAs(String.class))
        .isEqualTo("first");
    client.scheduleNew("Waiter", null, StartOptions.withId("order-1"));
    client.raiseEvent("order-1", "go", "second");
    assertThat(client.waitForCompletion("order-1", WAIT).readOutputAs(String.class))
        .isEqualTo("second");
    assertThat(client.getHistory("order-1"))
        .filteredOn(HistoryEvent.ExecutionStarted.class::isInstance)
        .hasSize(1);
  }

  @Test
  void scheduleNew_rejectsInvalidIds_withAMessageNamingTheProblem() {
    startWaiter();
    assertThatThrownBy(() -> client.scheduleNew("Waiter", null, StartOptions.withId("a/b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'/'");
    assertThatThrownBy(() -> client.scheduleNew("Waiter", null, StartOptions.withId("@entity")))
        .hasMessageContaining("must not start with '@'");
    assertThatThrownBy(
            () -> client.scheduleNew("Waiter", null, StartOptions.withId("x".repeat(257))))
        .hasMessageContaining("at most 256");
  }

  @Test
  void scheduleNew_withAStartTime_staysPendingUntilThen() {
    startWaiter();
    Instant at = Instant.now().plusMillis(600);
    String id = client.scheduleNew("Waiter", null, new StartOptions(null, at));

    assertThat(client.getInstance(id).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.PENDING);
    InstanceState started = client.waitForStart(id, WAIT);
    assertThat(Instant.now()).isAfterOrEqualTo(at);
    assertThat(started.getStatus()).isEqualTo(OrchestrationStatus.RUNNING);
  }

  @Test
  void waitForCompletion_timesOut_withTheCurrentStatus() {
    startWaiter();
    String id = client.scheduleNew("Waiter", null);

    assertThatThrownBy(() -> client.waitForCompletion(id, Duration.ofMillis(200)))
        .isInstanceOf(WaitTimeoutException.class)
        .hasMessageContaining(id);
    assertThatThrownBy(() -> client.waitForCompletion("nobody", Duration.ofMillis(200)))
        .isInstanceOf(InstanceNotFoundException.class);
  }

  @Test
  void getInstance_withoutPayloads_leavesInputAndOutputOut() {
    startWaiter();
    String id = client.scheduleNew("Waiter", "secret input");
    client.raiseEvent(id, "go", "out");
    client.waitForCompletion(id, WAIT);

    InstanceState lean = client.getInstance(id, false).orElseThrow();
    assertThat(lean.getSerializedInput()).isNull();
    assertThat(lean.getSerializedOutput()).isNull();
    assertThat(client.getInstance(id).orElseThrow().readInputAs(String.class))
        .isEqualTo("secret input");
    assertThat(client.getInstance("nobody")).isEmpty();
  }

  @Test
  void raiseEvent_onAFinishedOrUnknownInstance_isRefused() {
    startWaiter();
    String id = client.scheduleNew("Waiter", null);
    client.raiseEvent(id, "go", "x");
    client.waitForCompletion(id, WAIT);

    assertThatThrownBy(() -> client.raiseEvent(id, "go", "again"))
        .isInstanceOf(InstanceStatusException.class)
        .hasMessageContaining("Completed");
    assertThatThrownBy(() -> client.raiseEvent("nobody", "go", "x"))
        .isInstanceOf(InstanceNotFoundException.class);
  }

  @Test
  void terminate_endsTheInstanceWithTheReason_andLeavesChildrenRunningUnlessRecursive() {
    startWaiter();
    String plain = client.scheduleNew("Parent", null);
    String recursive = client.scheduleNew("Parent", null);
    Poll.until("child of plain", () -> client.getInstance(plain + ":child").isPresent());
    Poll.until("child", () -> client.getInstance(recursive + ":child").isPresent());

    client.terminate(plain, "operator said so");
    client.terminate(recursive, "all of it", true);

    InstanceState done = client.waitForCompletion(plain, WAIT);
    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.TERMINATED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("operator said so");
    assertThat(client.waitForCompletion(recursive + ":child", WAIT).getStatus())
        .isEqualTo(OrchestrationStatus.TERMINATED);
    sleep(200);
    assertThat(client.getInstance(plain + ":child").orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.RUNNING);
    assertThatThrownBy(() -> client.terminate(plain, "again"))
        .isInstanceOf(InstanceStatusException.class);
  }

  @Test
  void terminate_recursive_reachesChildAndGrandchild_plainOnlyTheInstance() {
    startWaiter();
    List<String> plain = startFamily();
    List<String> recursive = startFamily();

    client.terminate(plain.get(0), "only it");
    client.terminate(recursive.get(0), "all of it", true);

    for (String id : recursive) {
      assertThat(client.waitForCompletion(id, WAIT).getStatus())
          .as(id)
          .isEqualTo(OrchestrationStatus.TERMINATED);
    }
    assertThat(client.waitForCompletion(plain.get(0), WAIT).getStatus())
        .isEqualTo(OrchestrationStatus.TERMINATED);
    for (String id : plain.subList(1, 3)) {
      awaitInboxProcessed(id);
      assertThat(client.getInstance(id).orElseThrow().getStatus())
          .as(id)
          .isEqualTo(OrchestrationStatus.RUNNING);
    }
  }

  @Test
  void suspendAndResume_recursive_reachChildAndGrandchild() {
    startWaiter();
    List<String> family = startFamily();
    String grandchild = family.get(2);

    client.suspend(family.get(0), "maintenance", true);
    for (String id : family) {
      awaitStatus(id, OrchestrationStatus.SUSPENDED);
    }
    client.raiseEvent(grandchild, "go", "held");
    awaitInboxProcessed(grandchild);
    assertThat(client.getInstance(grandchild).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.SUSPENDED);

    client.resume(family.get(0), "done", true);
    for (String id : family) {
      InstanceState done = client.waitForCompletion(id, WAIT);
      assertThat(done.getStatus()).as(id).isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(done.readOutputAs(String.class)).isEqualTo("held");
    }
  }

  @Test
  void suspendAndResume_plain_reachOnlyTheInstance() {
    startWaiter();
    List<String> family = startFamily();

    client.suspend(family.get(0), "only it");
    awaitStatus(family.get(0), OrchestrationStatus.SUSPENDED);
    for (String id : family.subList(1, 3)) {
      awaitInboxProcessed(id);
      assertThat(client.getInstance(id).orElseThrow().getStatus())
          .as(id)
          .isEqualTo(OrchestrationStatus.RUNNING);
    }

    client.resume(family.get(0), "back");
    awaitStatus(family.get(0), OrchestrationStatus.RUNNING);
    client.suspend(family.get(1), "the child and below", true);
    awaitStatus(family.get(2), OrchestrationStatus.SUSPENDED);
    client.resume(family.get(1), "only the child");
    awaitStatus(family.get(1), OrchestrationStatus.RUNNING);
    awaitInboxProcessed(family.get(2));
    assertThat(client.getInstance(family.get(2)).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.SUSPENDED);
  }

  @Test
  void suspend_holdsIncomingEvents_untilResume() {
    startWaiter();
    String id = client.scheduleNew("Waiter", null);
    client.waitForStart(id, WAIT);

    client.suspend(id, "maintenance");
    Poll.until(
        "suspended",
        () -> client.getInstance(id).orElseThrow().getStatus() == OrchestrationStatus.SUSPENDED);
    client.raiseEvent(id, "go", "held");
    sleep(300);
    assertThat(client.getInstance(id).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.SUSPENDED);
    assertThatThrownBy(() -> client.suspend(id, "twice"))
        .isInstanceOf(InstanceStatusException.class)
        .hasMessageContaining("Suspended");

    client.resume(id, "done");
    assertThat(client.waitForCompletion(id, WAIT).readOutputAs(String.class)).isEqualTo("held");
    assertThat(client.getHistory(id))
        .extracting(HistoryEvent::eventType)
        .containsSubsequence("ExecutionSuspended", "EventRaised", "ExecutionResumed");
    assertThatThrownBy(() -> client.resume(id, "not suspended"))
        .isInstanceOf(InstanceStatusException.class);
  }

  @Test
  void suspend_ofAPendingInstance_makesItSuspended_andItsStartWaitsForResume() {
    startWaiter();
    Instant startAt = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
    String id = client.scheduleNew("Waiter", null, new StartOptions(null, startAt));

    client.suspend(id, "not yet");
    Poll.until(
        "suspended",
        () -> client.getInstance(id).orElseThrow().getStatus() == OrchestrationStatus.SUSPENDED);
    assertThatThrownBy(() -> client.suspend(id, "twice"))
        .isInstanceOf(InstanceStatusException.class)
        .hasMessageContaining("Suspended");
    // The start time passes: the start is recorded but held, like any message to a suspended one.
    Poll.until(
        "the scheduled start delivered",
        () ->
            client.getHistory(id).stream()
                .anyMatch(HistoryEvent.ExecutionStarted.class::isInstance));
    assertThat(client.getInstance(id).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.SUSPENDED);
    assertThat(client.getHistory(id))
        .extracting(HistoryEvent::eventType)
        .containsSubsequence("ExecutionSuspended", "ExecutionStarted");
    client.raiseEvent(id, "go", "started late");

    client.resume(id, "go on");
    assertThat(client.waitForCompletion(id, WAIT).readOutputAs(String.class))
        .isEqualTo("started late");
  }

  @Test
  void resume_beforeTheScheduledStart_makesTheInstancePendingAgain() {
    startWaiter();
    Instant startAt = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    String id = client.scheduleNew("Waiter", null, new StartOptions(null, startAt));

    client.suspend(id, "not yet");
    Poll.until(
        "suspended",
        () -> client.getInstance(id).orElseThrow().getStatus() == OrchestrationStatus.SUSPENDED);
    client.resume(id, "as planned");
    Poll.until(
        "pending again",
        () -> client.getInstance(id).orElseThrow().getStatus() == OrchestrationStatus.PENDING);

    InstanceState pending = client.getInstance(id).orElseThrow();
    assertThat(pending.getScheduledStartAt()).isEqualTo(startAt);
    assertThat(client.getHistory(id))
        .extracting(HistoryEvent::eventType)
        .containsSubsequence("ExecutionSuspended", "ExecutionResumed")
        .doesNotContain("ExecutionStarted");
    assertThatThrownBy(() -> client.resume(id, "twice"))
        .isInstanceOf(InstanceStatusException.class)
        .hasMessageContaining("Pending");
    client.terminate(id, "never mind", false);
    assertThat(client.waitForCompletion(id, WAIT).getStatus())
        .isEqualTo(OrchestrationStatus.TERMINATED);
  }

  @Test
  void rewind_rerunsTheFailedCall_evenAfterItsRetriesRanOut() {
    AtomicBoolean broken = new AtomicBoolean(true);
    AtomicInteger runs = new AtomicInteger();
    start(
        b ->
            b.orchestrator(
                    "Pay",
                    ctx -> {
                      String a = ctx.callActivity("Step", "a", String.class).await();
                      String c =
                          ctx.callActivity(
                                  "Charge",
                                  "c",
                                  RetryPolicy.of(2, Duration.ofMillis(10)),
                                  String.class)
                              .await();
                      return a + c;
                    })
                .activity("Step", String.class, (ctx, s) -> s)
                .activity(
                    "Charge",
                    String.class,
                    (ctx, s) -> {
                      runs.incrementAndGet();
                      if (broken.get()) {
                        throw new IllegalStateException("gateway down");
                      }
                      return s;
                    }));
    InstanceState failed = run("Pay", null);
    assertThat(failed.getStatus()).isEqualTo(OrchestrationStatus.FAILED);
    assertThat(runs).hasValue(2);
    assertThatThrownBy(() -> client.rewind("nobody", "x"))
        .isInstanceOf(InstanceNotFoundException.class);

    broken.set(false);
    client.rewind(failed.getInstanceId(), "gateway is back");

    // Rewind is a queued message: the instance stays Failed until its next episode.
    Poll.until(
        "rewound instance to complete",
        () ->
            client.getInstance(failed.getInstanceId()).orElseThrow().getStatus()
                == OrchestrationStatus.COMPLETED);
    InstanceState done = client.getInstance(failed.getInstanceId()).orElseThrow();
    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("ac");
    assertThat(runs).hasValue(3);
    assertThat(client.getHistory(done.getInstanceId()))
        .extracting(HistoryEvent::eventType)
        .contains("ExecutionRewound");
    assertThatThrownBy(() -> client.rewind(done.getInstanceId(), "again"))
        .isInstanceOf(InstanceStatusException.class)
        .hasMessageContaining("Completed");
  }

  @Test
  void restart_startsAgainWithTheOriginalInput() {
    start(b -> b.orchestrator("Echo", ctx -> ctx.getInput(String.class)));
    InstanceState first = run("Echo", "again");

    String newId = client.restart(first.getInstanceId(), true);
    String sameId = client.restart(first.getInstanceId(), false);

    assertThat(newId).isNotEqualTo(first.getInstanceId());
    assertThat(sameId).isEqualTo(first.getInstanceId());
    assertThat(client.waitForCompletion(newId, WAIT).readOutputAs(String.class)).isEqualTo("again");
    assertThat(client.waitForCompletion(sameId, WAIT).readOutputAs(String.class))
        .isEqualTo("again");
  }

  /**
   * Restart reads the instance's stored name and input, as Durable Functions' RestartAsync reads
   * them from the status: after continueAsNew that is the input of the latest execution (the first
   * execution's input is no longer stored anywhere; neither is it in Durable Functions).
   */
  @Test
  void restart_afterContinueAsNew_startsWithTheLatestExecutionsInput() {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    start(
        b ->
            b.orchestrator(
                    "Rounds",
                    Integer.class,
                    (ctx, n) -> {
                      ctx.callActivity("Seen", n, Void.class).await();
                      if (n < 2) {
                        ctx.continueAsNew(n + 1);
                        return null;
                      }
                      return n;
                    })
                .activity(
                    "Seen",
                    Integer.class,
                    (ctx, n) -> {
                      seen.add(n);
                      return null;
                    }));
    InstanceState first = run("Rounds", 0);
    assertThat(first.readOutputAs(Integer.class)).isEqualTo(2);
    assertThat(seen).containsExactly(0, 1, 2);

    String newId = client.restart(first.getInstanceId(), true);
    InstanceState restarted = client.waitForCompletion(newId, WAIT);
    String sameId = client.restart(first.getInstanceId(), false);
    InstanceState restartedInPlace = client.waitForCompletion(sameId, WAIT);

    for (InstanceState s : List.of(restarted, restartedInPlace)) {
      assertThat(s.readInputAs(Integer.class)).isEqualTo(2);
      assertThat(s.readOutputAs(Integer.class)).isEqualTo(2);
      assertThat(client.getHistory(s.getInstanceId()))
          .filteredOn(HistoryEvent.ExecutionStarted.class::isInstance)
          .singleElement()
          .extracting(e -> ((HistoryEvent.ExecutionStarted) e).input())
          .isEqualTo("2");
    }
    assertThat(seen)
        .as("each restart ran one execution, from input 2")
        .containsExactly(0, 1, 2, 2, 2);
  }

  @Test
  void purge_deletesFinishedInstancesOnly() {
    startWaiter();
    String running = client.scheduleNew("Waiter", null);
    client.waitForStart(running, WAIT); // else it may still be Pending below
    String finished = client.scheduleNew("Waiter", null);
    client.raiseEvent(finished, "go", "x");
    client.waitForCompletion(finished, WAIT);

    assertThatThrownBy(() -> client.purge(running))
        .isInstanceOf(InstanceStatusException.class)
        .hasMessageContaining("Running");
    assertThat(client.purge(finished)).isTrue();
    assertThat(client.getInstance(finished)).isEmpty();
    assertThat(client.purge(finished)).isFalse();

    String another = client.scheduleNew("Waiter", null);
    client.raiseEvent(another, "go", "y");
    client.waitForCompletion(another, WAIT);
    assertThat(client.purge(InstanceQuery.all())).isEqualTo(1);
    assertThat(client.getInstance(running)).isPresent();
  }

  @Test
  void query_filtersByStatusNameAndPrefix_andPagesWithContinuationTokens() {
    start(
        b ->
            b.orchestrator("Waiter", ctx -> ctx.waitForExternalEvent("go", String.class).await())
                .orchestrator("Quick", ctx -> "done"));
    for (int i = 0; i < 7; i++) {
      client.scheduleNew("Waiter", null, StartOptions.withId("batch-" + i));
    }
    String quick = client.scheduleNew("Quick", null, StartOptions.withId("quick-1"));
    client.waitForCompletion(quick, WAIT);

    Set<String> seen = new HashSet<>();
    List<Integer> pageSizes = new ArrayList<>();
    InstanceQuery q = InstanceQuery.all().withInstanceIdPrefix("batch-").withPageSize(3);
    do {
      QueryResult page = client.query(q);
      pageSizes.add(page.instances().size());
      page.instances().forEach(s -> seen.add(s.getInstanceId()));
      q = q.withContinuationToken(page.continuationToken());
    } while (q.continuationToken() != null);

    assertThat(seen).hasSize(7).allMatch(id -> id.startsWith("batch-"));
    assertThat(pageSizes.get(0)).isEqualTo(3);
    assertThat(
            client
                .query(InstanceQuery.all().withStatuses(Set.of(OrchestrationStatus.COMPLETED)))
                .instances())
        .extracting(InstanceState::getInstanceId)
        .containsExactly("quick-1");
    assertThat(client.query(InstanceQuery.all().withName("Quick")).instances()).hasSize(1);
    assertThatThrownBy(() -> client.query(InstanceQuery.all().withContinuationToken("garbage")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Gives the engine time to do what it must not: for checks that something did not happen. */
  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
