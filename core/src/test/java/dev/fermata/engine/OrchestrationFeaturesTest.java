package dev.fermata.engine;

import static dev.fermata.storetest.CheckpointBuilder.episode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.FailureDetails;
import dev.fermata.Fermata;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.NonRetriableException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.PayloadException;
import dev.fermata.RetryPolicy;
import dev.fermata.Task;
import dev.fermata.TaskFailedException;
import dev.fermata.UnknownFunctionException;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.ParentInstance;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.testsupport.Poll;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every orchestration feature, end to end through a real engine, run with the instance cache and
 * with every episode replayed from history: both must give the same results. A subclass per store
 * says which store.
 */
@ParameterizedClass(name = "instance cache size {0}")
@ValueSource(ints = {10_000, 0}) // with the cache, and with every episode replayed from history
public abstract class OrchestrationFeaturesTest extends EngineTestSupport {
  /** How late a timer may fire on an idle engine: scheduling noise on a busy machine, no more. */
  private static final Duration PUNCTUAL = Duration.ofMillis(250);

  @Parameter int cacheSize;

  @Override
  protected int cacheSize() {
    return cacheSize;
  }

  record Employee(String name, String role) {}

  @Test
  void activities_inSequence_passTypedValuesAndReturnTheOutput() {
    start(
        b ->
            b.orchestrator(
                    "Chain",
                    ctx -> {
                      String s = ctx.getInput(String.class);
                      for (int i = 0; i < 3; i++) {
                        s = ctx.callActivity("Bang", s, String.class).await();
                      }
                      return s;
                    })
                .activity("Bang", String.class, (ctx, s) -> s + "!"));

    InstanceState done = run("Chain", "hi");

    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("hi!!!");
  }

  @Test
  void functionNames_matchIgnoringCase_asInAzureFunctions() {
    start(
        b ->
            b.orchestrator("Chain", ctx -> ctx.callActivity("BANG", "hi", String.class).await())
                .activity("Bang", String.class, (ctx, s) -> s + "!"));

    InstanceState done = run("chain", null);

    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(done.readOutputAs(String.class)).isEqualTo("hi!");
    assertThatThrownBy(
            () -> Fermata.builder().activity("Bang", ctx -> 1).activity("bang", ctx -> 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Bang' is already registered (names are compared ignoring case)");
  }

  @Test
  void allOf_fansOutThousandsOfActivities_andReturnsResultsInOrder() {
    start(
        b ->
            b.orchestrator(
                    "FanOut",
                    ctx -> {
                      int n = ctx.getInput(Integer.class);
                      List<Task<Integer>> calls = new ArrayList<>();
                      for (int i = 0; i < n; i++) {
                        calls.add(ctx.callActivity("Square", i, Integer.class));
                      }
                      List<Integer> squares = Task.allOf(calls).await();
                      for (int i = 0; i < n; i++) {
                        if (squares.get(i) != i * i) {
                          throw new IllegalStateException("result " + i + " out of order");
                        }
                      }
                      return squares.stream().mapToLong(Integer::longValue).sum();
                    })
                .activity("Square", Integer.class, (ctx, i) -> i * i));

    InstanceState done = run("FanOut", 2000);

    long expected = 0;
    for (long i = 0; i < 2000; i++) {
      expected += i * i;
    }
    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(done.readOutputAs(Long.class)).isEqualTo(expected);
  }

  @Test
  void allOf_withFailures_waitsForAllThenThrowsTheFirstFailureInListOrder() {
    start(
        b ->
            b.orchestrator(
                    "Mixed",
                    ctx -> {
                      Task<String> ok = ctx.callActivity("Echo", "a", String.class);
                      Task<String> bad1 = ctx.callActivity("Fail", "first", String.class);
                      Task<String> bad2 = ctx.callActivity("Fail", "second", String.class);
                      try {
                        Task.allOf(ok, bad1, bad2).await();
                        return "no failure";
                      } catch (TaskFailedException e) {
                        return e.getFailureDetails().errorMessage()
                            + "/"
                            + ok.isDone()
                            + bad2.isDone()
                            + "/"
                            + e.getSuppressed().length;
                      }
                    })
                .activity("Echo", String.class, (ctx, s) -> s)
                .activity(
                    "Fail",
                    String.class,
                    (ctx, s) -> {
                      throw new IllegalStateException(s);
                    }));

    assertThat(run("Mixed", null).readOutputAs(String.class)).isEqualTo("first/truetrue/1");
  }

  @Test
  void anyOf_returnsTheFirstTaskToFinish() {
    start(
        b ->
            b.orchestrator(
                    "Race",
                    ctx -> {
                      Task<Void> timer = ctx.createTimer(Duration.ofHours(1));
                      Task<String> fast = ctx.callActivity("Echo", "fast", String.class);
                      Task<?> winner = Task.anyOf(timer, fast).await();
                      timer.cancel();
                      return winner == fast ? fast.await() : "timer";
                    })
                .activity("Echo", String.class, (ctx, s) -> s));

    assertThat(run("Race", null).readOutputAs(String.class)).isEqualTo("fast");
  }

  @Test
  void retryPolicy_retriesFailedAttemptsOnDurableTimers_untilSuccess() {
    AtomicInteger attempts = new AtomicInteger();
    RetryPolicy policy =
        RetryPolicy.builder(5, Duration.ofMillis(50)).backoffCoefficient(2.0).build();
    start(
        b ->
            b.orchestrator(
                    "Retry", ctx -> ctx.callActivity("Flaky", null, policy, String.class).await())
                .activity(
                    "Flaky",
                    ctx -> {
                      if (attempts.incrementAndGet() < 3) {
                        throw new IllegalStateException("try again");
                      }
                      return "ok after " + attempts.get();
                    }));

    InstanceState done = run("Retry", null);

    assertThat(done.readOutputAs(String.class)).isEqualTo("ok after 3");
    List<HistoryEvent> history = client.getHistory(done.getInstanceId());
    List<HistoryEvent.TimerCreated> delays =
        history.stream()
            .filter(HistoryEvent.TimerCreated.class::isInstance)
            .map(HistoryEvent.TimerCreated.class::cast)
            .toList();
    assertThat(delays).hasSize(2);
    List<Instant> episodeStarts = startsOf(history);
    // Each delay is min(first * coef^k, max), counted from the episode that saw the failure.
    assertThat(delays.get(0).fireAt()).isIn(plusFor(episodeStarts, 50));
    assertThat(delays.get(1).fireAt()).isIn(plusFor(episodeStarts, 100));
    assertThat(history).filteredOn(HistoryEvent.TaskScheduled.class::isInstance).hasSize(3);
  }

  private static List<Instant> startsOf(List<HistoryEvent> history) {
    return history.stream()
        .filter(HistoryEvent.OrchestratorStarted.class::isInstance)
        .map(HistoryEvent::timestamp)
        .toList();
  }

  private static List<Instant> plusFor(List<Instant> starts, long millis) {
    return starts.stream().map(s -> s.plusMillis(millis)).toList();
  }

  @Test
  void retryPolicy_whenAttemptsRunOut_rethrowsTheLastFailure() {
    AtomicInteger attempts = new AtomicInteger();
    start(
        b ->
            b.orchestrator(
                    "Retry",
                    ctx -> {
                      try {
                        return ctx.callActivity(
                                "Broken",
                                null,
                                RetryPolicy.of(3, Duration.ofMillis(10)),
                                String.class)
                            .await();
                      } catch (TaskFailedException e) {
                        return e.getTaskName() + ": " + e.getFailureDetails().errorMessage();
                      }
                    })
                .activity(
                    "Broken",
                    ctx -> {
                      throw new IllegalStateException("attempt " + attempts.incrementAndGet());
                    }));

    assertThat(run("Retry", null).readOutputAs(String.class)).isEqualTo("Broken: attempt 3");
    assertThat(attempts).hasValue(3);
  }

  @Test
  void retryPolicy_stopsAtOnce_forNonRetriableFailuresAndWhenHandleSaysNo() {
    AtomicInteger nonRetriable = new AtomicInteger();
    AtomicInteger unhandled = new AtomicInteger();
    RetryPolicy onlyIo =
        RetryPolicy.builder(5, Duration.ofMillis(10))
            .handle(f -> f.isCausedBy(java.io.IOException.class))
            .build();
    start(
        b ->
            b.orchestrator(
                    "Retry",
                    ctx -> {
                      List<String> out = new ArrayList<>();
                      for (String name : List.of("NonRetriable", "Unhandled")) {
                        try {
                          ctx.callActivity(name, null, onlyIo, String.class).await();
                        } catch (TaskFailedException e) {
                          out.add(e.getFailureDetails().errorType());
                        }
                      }
                      return out;
                    })
                .activity(
                    "NonRetriable",
                    ctx -> {
                      nonRetriable.incrementAndGet();
                      throw new NonRetriableException("card declined");
                    })
                .activity(
                    "Unhandled",
                    ctx -> {
                      unhandled.incrementAndGet();
                      throw new IllegalArgumentException("bad input");
                    }));

    assertThat(run("Retry", null).readOutputAs(List.class))
        .containsExactly(
            NonRetriableException.class.getName(), IllegalArgumentException.class.getName());
    assertThat(nonRetriable).hasValue(1);
    assertThat(unhandled).hasValue(1);
  }

  @Test
  void timer_firesAtItsDueTime_notBefore_andPunctually() {
    start(
        b ->
            b.orchestrator(
                "Sleep",
                ctx -> {
                  Instant before = ctx.currentTime();
                  ctx.createTimer(Duration.ofMillis(300)).await();
                  return Duration.between(before, ctx.currentTime()).toMillis();
                }));

    InstanceState done = run("Sleep", null);

    assertThat(done.readOutputAs(Long.class)).isGreaterThanOrEqualTo(300);
    // The episode that handles the timer starts (and records when) once the timer is due: the
    // engine waits for the next due time, it does not poll for it.
    List<HistoryEvent> history = client.getHistory(done.getInstanceId());
    int fired = lastIndexOf(history, HistoryEvent.TimerFired.class, history.size());
    int started = lastIndexOf(history, HistoryEvent.OrchestratorStarted.class, fired);
    HistoryEvent.TimerFired timer = (HistoryEvent.TimerFired) history.get(fired);
    assertThat(Duration.between(timer.fireAt(), history.get(started).timestamp()))
        .as("lateness of the timer")
        .isBetween(Duration.ZERO, PUNCTUAL);
  }

  @Test
  void timersStillPending_whenTheOrchestratorReturns_areDropped_andTheInstanceCompletesAtOnce() {
    start(b -> b.orchestrator("Leave", ctx -> ctx.createTimer(Duration.ofHours(1)) != null));

    InstanceState done = run("Leave", null);

    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(client.getHistory(done.getInstanceId()))
        .noneMatch(e -> e instanceof HistoryEvent.TimerCreated)
        .last()
        .isInstanceOf(HistoryEvent.ExecutionCompleted.class);
  }

  @Test
  void externalEvent_raisedBeforeTheWait_isBuffered_andNamesCompareIgnoringCase() {
    start(
        b ->
            b.orchestrator(
                "Approve",
                ctx -> {
                  ctx.waitForExternalEvent("release", Void.class).await();
                  String first = ctx.waitForExternalEvent("approval", String.class).await();
                  String second = ctx.waitForExternalEvent("APPROVAL", String.class).await();
                  return first + "," + second;
                }));
    String id = client.scheduleNew("Approve", null);
    client.raiseEvent(id, "Approval", "one");
    client.raiseEvent(id, "approval", "two");
    // Only now may the orchestrator wait for them: both have arrived before its waits.
    client.raiseEvent(id, "release", null);

    assertThat(client.waitForCompletion(id, WAIT).readOutputAs(String.class)).isEqualTo("one,two");
  }

  @Test
  void externalEvent_withTimeout_thatArrivesInTime_cancelsTheTimer() {
    start(
        b ->
            b.orchestrator(
                "Wait",
                ctx ->
                    ctx.waitForExternalEvent("ship", Duration.ofHours(1), "late", String.class)
                        .await()));
    String id = client.scheduleNew("Wait", null);
    client.raiseEvent(id, "ship", "shipped");

    assertThat(client.waitForCompletion(id, WAIT).readOutputAs(String.class)).isEqualTo("shipped");
  }

  @Test
  void subOrchestration_returnsItsResult_andItsFailureIsCatchableInTheParent() {
    start(
        b ->
            b.orchestrator(
                    "Parent",
                    ctx -> {
                      String ok =
                          ctx.callSubOrchestrator("Child", "x", "child-ok", String.class).await();
                      try {
                        ctx.callSubOrchestrator("Child", "boom", null, String.class).await();
                        return "no failure";
                      } catch (TaskFailedException e) {
                        return ok + " / " + e.getFailureDetails().errorMessage();
                      }
                    })
                .orchestrator(
                    "Child",
                    String.class,
                    (ctx, in) -> {
                      if (in.equals("boom")) {
                        throw new IllegalStateException("child failed");
                      }
                      return ctx.callActivity("Up", in, String.class).await();
                    })
                .activity("Up", String.class, (ctx, s) -> s.toUpperCase()));

    InstanceState done = run("Parent", null);

    assertThat(done.readOutputAs(String.class)).isEqualTo("X / child failed");
    InstanceState child = client.getInstance("child-ok").orElseThrow();
    assertThat(child.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
    assertThat(child.getParent().instanceId()).isEqualTo(done.getInstanceId());
  }

  @Test
  void subOrchestration_withAnIdThatIsRunning_failsTheCall() {
    start(
        b ->
            b.orchestrator(
                    "Parent",
                    ctx -> {
                      try {
                        ctx.callSubOrchestrator("Waiter", null, "busy", String.class).await();
                        return "started";
                      } catch (TaskFailedException e) {
                        return e.getFailureDetails().errorMessage();
                      }
                    })
                .orchestrator(
                    "Waiter", ctx -> ctx.waitForExternalEvent("never", String.class).await()));
    client.scheduleNew("Waiter", null, dev.fermata.FermataClient.StartOptions.withId("busy"));

    assertThat(run("Parent", null).readOutputAs(String.class))
        .contains("'busy' is already running");
  }

  @Test
  void continueAsNew_restartsWithFreshHistory_sameIdNewExecution() throws Exception {
    // The first execution waits in its first activity until the test has read its id.
    CountDownLatch firstExecutionRead = new CountDownLatch(1);
    start(
        b ->
            b.orchestrator(
                    "Count",
                    Integer.class,
                    (ctx, n) -> {
                      int next = ctx.callActivity("Inc", n, Integer.class).await();
                      if (next < 10) {
                        ctx.continueAsNew(next);
                        return null;
                      }
                      return next;
                    })
                .activity(
                    "Inc",
                    Integer.class,
                    (ctx, n) -> {
                      if (n == 0 && !firstExecutionRead.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never read the first execution");
                      }
                      return n + 1;
                    }));
    String id = client.scheduleNew("Count", 0);
    String firstExecution = client.getInstance(id).orElseThrow().getExecutionId();
    firstExecutionRead.countDown();

    InstanceState done = client.waitForCompletion(id, WAIT);

    assertThat(done.readOutputAs(Integer.class)).isEqualTo(10);
    assertThat(done.getExecutionId()).isNotEqualTo(firstExecution);
    assertThat(done.readInputAs(Integer.class)).isEqualTo(9);
    List<HistoryEvent> history = client.getHistory(id);
    assertThat(history).filteredOn(HistoryEvent.TaskScheduled.class::isInstance).hasSize(1);
    assertThat(history)
        .filteredOn(HistoryEvent.ExecutionStarted.class::isInstance)
        .singleElement()
        .extracting(e -> ((HistoryEvent.ExecutionStarted) e).input())
        .isEqualTo("9");
  }

  @Test
  void continueAsNew_keepsUnprocessedEvents_onlyWhenAskedTo() {
    start(
        b ->
            b.orchestrator(
                "Carry",
                String.class,
                (ctx, mode) -> {
                  if (mode.startsWith("first")) {
                    // Let "e" arrive, consume it not, and start over.
                    ctx.waitForExternalEvent("restart", Void.class).await();
                    ctx.continueAsNew("second", mode.equals("first-keep"));
                    return null;
                  }
                  return ctx.waitForExternalEvent("e", Duration.ofMillis(300), "none", String.class)
                      .await();
                }));
    String keep = client.scheduleNew("Carry", "first-keep");
    String drop = client.scheduleNew("Carry", "first-drop");
    client.raiseEvent(keep, "e", "kept");
    client.raiseEvent(drop, "e", "kept");
    client.raiseEvent(keep, "restart", null);
    client.raiseEvent(drop, "restart", null);

    assertThat(client.waitForCompletion(keep, WAIT).readOutputAs(String.class)).isEqualTo("kept");
    assertThat(client.waitForCompletion(drop, WAIT).readOutputAs(String.class)).isEqualTo("none");
  }

  @Test
  void customStatus_isVisibleToClientsWhileRunning() {
    start(
        b ->
            b.orchestrator(
                "Status",
                ctx -> {
                  ctx.setCustomStatus(Map.of("step", "waiting"));
                  return ctx.waitForExternalEvent("go", String.class).await();
                }));
    String id = client.scheduleNew("Status", null);
    Poll.until(
        "custom status",
        () -> client.getInstance(id).orElseThrow().getSerializedCustomStatus() != null);

    assertThat(client.getInstance(id).orElseThrow().readCustomStatusAs(Map.class))
        .containsEntry("step", "waiting");
    client.raiseEvent(id, "go", "done");
    InstanceState done = client.waitForCompletion(id, WAIT);
    assertThat(done.getSerializedCustomStatus()).isEqualTo("{\"step\":\"waiting\"}");
  }

  @Test
  void customStatus_setToNull_clearsIt() {
    start(
        b ->
            b.orchestrator(
                "Clear",
                ctx -> {
                  ctx.setCustomStatus(Map.of("step", "one"));
                  ctx.waitForExternalEvent("clear", Void.class).await();
                  ctx.setCustomStatus(null);
                  return ctx.waitForExternalEvent("go", String.class).await();
                }));
    String id = client.scheduleNew("Clear", null);
    Poll.until(
        "custom status",
        () -> client.getInstance(id).orElseThrow().getSerializedCustomStatus() != null);

    client.raiseEvent(id, "clear", null);
    Poll.until(
        "custom status cleared",
        () -> client.getInstance(id).orElseThrow().getSerializedCustomStatus() == null);
    assertThat(client.getInstance(id).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.RUNNING);
    assertThat(client.query(InstanceQuery.all().withName("Clear")).instances())
        .singleElement()
        .satisfies(s -> assertThat(s.getSerializedCustomStatus()).isNull());
    client.raiseEvent(id, "go", "done");
    InstanceState done = client.waitForCompletion(id, WAIT);
    assertThat(done.getSerializedOutput()).isEqualTo("\"done\"");
    assertThat(done.getSerializedCustomStatus()).isNull();
  }

  @Test
  void customStatus_largerThan16KB_failsTheInstanceWithAClearMessage() {
    start(
        b ->
            b.orchestrator(
                "Big",
                ctx -> {
                  ctx.setCustomStatus("x".repeat(20_000));
                  return null;
                }));

    InstanceState done = run("Big", null);

    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.FAILED);
    assertThat(done.getFailureDetails().errorMessage()).contains("custom status").contains("16384");
  }

  @Test
  void isReplaying_andTheLogger_letSideEffectsHappenOncePerStep() {
    Map<String, AtomicInteger> notes = new ConcurrentHashMap<>();
    start(
        b ->
            b.orchestrator(
                    "Note",
                    ctx -> {
                      for (int i = 0; i < 3; i++) {
                        if (!ctx.isReplaying()) {
                          notes
                              .computeIfAbsent("step" + i, k -> new AtomicInteger())
                              .incrementAndGet();
                        }
                        ctx.getLogger().info("step {}", i);
                        ctx.callActivity("Nop", null, Void.class).await();
                      }
                      return ctx.isReplaying();
                    })
                .activity("Nop", ctx -> null));

    InstanceState done = run("Note", null);

    assertThat(done.readOutputAs(Boolean.class)).isFalse();
    assertThat(notes).hasSize(3).allSatisfy((k, v) -> assertThat(v).hasValue(1));
  }

  @Test
  void currentTimeAndNewUuid_areTheSameOnReplay() {
    start(
        b ->
            b.orchestrator(
                    "Stable",
                    ctx -> {
                      Instant t1 = ctx.currentTime();
                      UUID u1 = ctx.newUuid();
                      ctx.callActivity("Nop", null, Void.class).await();
                      UUID u2 = ctx.newUuid();
                      return List.of(
                          t1.toString(),
                          u1.toString(),
                          u2.toString(),
                          ctx.currentTime().toString());
                    })
                .activity("Nop", ctx -> null));

    InstanceState done = run("Stable", null);

    @SuppressWarnings("unchecked")
    List<String> out = done.readOutputAs(List.class);
    List<Instant> starts = startsOf(client.getHistory(done.getInstanceId()));
    assertThat(Instant.parse(out.get(0))).isEqualTo(starts.get(0));
    assertThat(Instant.parse(out.get(3))).isEqualTo(starts.get(starts.size() - 1));
    assertThat(UUID.fromString(out.get(1)).version()).isEqualTo(5);
    assertThat(out.get(1)).isNotEqualTo(out.get(2));
  }

  @Test
  void activityException_reachesTheOrchestratorAsFailureDetails_withTheCauseChain() {
    start(
        b ->
            b.orchestrator(
                    "Catch",
                    ctx -> {
                      try {
                        ctx.callActivity("Throw", null, String.class).await();
                        return null;
                      } catch (TaskFailedException e) {
                        FailureDetails f = e.getFailureDetails();
                        return List.of(
                            f.errorType(),
                            f.errorMessage(),
                            f.innerFailure().errorType(),
                            String.valueOf(f.stackTrace().contains("at ")));
                      }
                    })
                .activity(
                    "Throw",
                    ctx -> {
                      throw new IllegalStateException(
                          "outer", new java.io.IOException("disk on fire"));
                    }));

    assertThat(run("Catch", null).readOutputAs(List.class))
        .containsExactly(
            IllegalStateException.class.getName(),
            "outer",
            java.io.IOException.class.getName(),
            "true");
  }

  @Test
  void unhandledException_failsTheInstance_withItsDetails() {
    start(
        b ->
            b.orchestrator("Fails", ctx -> ctx.callActivity("Throw", null, String.class).await())
                .activity(
                    "Throw",
                    ctx -> {
                      throw new UnsupportedOperationException("nope");
                    }));

    InstanceState done = run("Fails", null);

    assertThat(done.getStatus()).isEqualTo(OrchestrationStatus.FAILED);
    assertThat(done.getFailureDetails().errorType()).isEqualTo(TaskFailedException.class.getName());
    assertThat(done.getFailureDetails().errorMessage()).contains("Throw").contains("nope");
    assertThat(done.getFailureDetails().innerFailure().errorType())
        .isEqualTo(UnsupportedOperationException.class.getName());
  }

  @Test
  void unknownActivityOrOrchestrator_failsFast_withAMessageNamingIt() {
    start(
        b ->
            b.orchestrator(
                    "Caller",
                    ctx -> {
                      List<String> errors = new ArrayList<>();
                      for (Task<String> t :
                          List.of(
                              ctx.callActivity("NoSuchActivity", null, String.class),
                              ctx.callSubOrchestrator(
                                  "NoSuchOrchestrator", null, null, String.class))) {
                        try {
                          t.await();
                        } catch (TaskFailedException e) {
                          errors.add(e.getFailureDetails().errorMessage());
                        }
                      }
                      return errors;
                    })
                .activity("Known", ctx -> null));

    assertThat(run("Caller", null).readOutputAs(List.class))
        .containsExactly(
            "No activity named 'NoSuchActivity' is registered; registered: [Known]",
            "No orchestrator named 'NoSuchOrchestrator' is registered; registered: [Caller]");
    assertThatThrownBy(() -> client.scheduleNew("Nope", null))
        .isInstanceOf(UnknownFunctionException.class)
        .hasMessageContaining("'Nope'");
  }

  @Test
  void payloadThatCannotBeSerialized_failsThatCallWithAClearMessage() {
    start(
        b ->
            b.orchestrator(
                    "Bad",
                    ctx -> {
                      try {
                        ctx.callActivity("Nop", new Object(), String.class);
                        return "serialized";
                      } catch (PayloadException e) {
                        return e.getMessage();
                      }
                    })
                .activity("Nop", ctx -> null));

    assertThat(run("Bad", null).readOutputAs(String.class))
        .startsWith("Cannot convert the input of activity 'Nop' (a java.lang.Object) to JSON");
  }

  @Test
  void resultThatCannotBeReadAsTheRequestedType_failsTheAwaitWithAClearMessage() {
    start(
        b ->
            b.orchestrator(
                    "Bad",
                    ctx -> {
                      try {
                        ctx.callActivity("Text", null, Integer.class).await();
                        return "read";
                      } catch (PayloadException e) {
                        return e.getMessage();
                      }
                    })
                .activity("Text", ctx -> "not a number"));

    assertThat(run("Bad", null).readOutputAs(String.class))
        .startsWith("Cannot read the result of activity 'Text' (#0) as java.lang.Integer");
  }

  @Test
  void employeeOnboarding_fansOutThreeActivities_inOrder() {
    start(
        b ->
            b.orchestrator(
                    "Onboard",
                    Employee.class,
                    (ctx, e) ->
                        Task.allOf(
                                ctx.callActivity("Card", e, String.class),
                                ctx.callActivity("Laptop", e, String.class),
                                ctx.callActivity("Welcome", e, String.class))
                            .await())
                .activity("Card", Employee.class, (c, e) -> "card for " + e.name())
                .activity("Laptop", Employee.class, (c, e) -> "laptop for a " + e.role())
                .activity("Welcome", Employee.class, (c, e) -> "welcome " + e.name()));

    assertThat(run("Onboard", new Employee("Ada", "engineer")).readOutputAs(List.class))
        .containsExactly("card for Ada", "laptop for a engineer", "welcome Ada");
  }

  /** The index of the last event of {@code type} before {@code end}. */
  private static int lastIndexOf(List<HistoryEvent> history, Class<?> type, int end) {
    for (int i = end - 1; i >= 0; i--) {
      if (type.isInstance(history.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + history);
  }

  /**
   * An orchestration that starts a slow activity and a flaky one, and fails on the flaky one while
   * the slow one is still running. The slow one waits for {@code slowMayFinish} and counts its
   * runs.
   */
  private void startSplitThatFailsWhileSlowRuns(
      CountDownLatch slowMayFinish,
      AtomicInteger slowRuns,
      AtomicInteger flakyRuns,
      AtomicBoolean broken) {
    startSplitThatFailsWhileSlowRuns(newStore(), slowMayFinish, slowRuns, flakyRuns, broken);
  }

  private void startSplitThatFailsWhileSlowRuns(
      DurableStore store,
      CountDownLatch slowMayFinish,
      AtomicInteger slowRuns,
      AtomicInteger flakyRuns,
      AtomicBoolean broken) {
    start(
        store,
        b ->
            b.orchestrator(
                    "Split",
                    ctx -> {
                      Task<String> slow = ctx.callActivity("Slow", null, String.class);
                      String flaky = ctx.callActivity("Flaky", null, String.class).await();
                      return slow.await() + "+" + flaky;
                    })
                .activity(
                    "Slow",
                    ctx -> {
                      slowRuns.incrementAndGet();
                      try {
                        if (!slowMayFinish.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                          throw new IllegalStateException("the test never let Slow finish");
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                      }
                      return "slow";
                    })
                .activity(
                    "Flaky",
                    ctx -> {
                      flakyRuns.incrementAndGet();
                      if (broken.get()) {
                        throw new IllegalStateException("down");
                      }
                      return "flaky";
                    }));
  }

  private void awaitStatus(String id, OrchestrationStatus status) {
    awaitCondition(
        () -> client.getInstance(id).orElseThrow().getStatus() == status,
        "instance " + id + " to be " + status);
  }

  @Test
  void rewind_usesTheResultOfAnActivityThatFinishedAfterTheFailure_ratherThanRunItAgain() {
    CountDownLatch slowMayFinish = new CountDownLatch(1);
    AtomicInteger slowRuns = new AtomicInteger();
    AtomicInteger flakyRuns = new AtomicInteger();
    AtomicBoolean broken = new AtomicBoolean(true);
    startSplitThatFailsWhileSlowRuns(slowMayFinish, slowRuns, flakyRuns, broken);
    String id = client.scheduleNew("Split", null);
    assertThat(client.waitForCompletion(id, WAIT).getStatus())
        .isEqualTo(OrchestrationStatus.FAILED);

    slowMayFinish.countDown();
    // The late result is kept in the Failed instance's history, after its failure.
    awaitCondition(
        () -> client.getHistory(id).getLast() instanceof HistoryEvent.TaskCompleted,
        "the late result of Slow to be kept");
    assertThat(client.getInstance(id).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.FAILED);
    broken.set(false);
    client.rewind(id, "flaky is back");

    awaitStatus(id, OrchestrationStatus.COMPLETED);
    assertThat(client.getInstance(id).orElseThrow().readOutputAs(String.class))
        .isEqualTo("slow+flaky");
    assertThat(slowRuns).hasValue(1);
    assertThat(flakyRuns).hasValue(2);
  }

  @Test
  void rewind_whileAnActivityStillRuns_keepsItsTask_andAcceptsItsResultAfterwards() {
    CountDownLatch slowMayFinish = new CountDownLatch(1);
    AtomicInteger slowRuns = new AtomicInteger();
    AtomicInteger flakyRuns = new AtomicInteger();
    AtomicBoolean broken = new AtomicBoolean(true);
    startSplitThatFailsWhileSlowRuns(slowMayFinish, slowRuns, flakyRuns, broken);
    String id = client.scheduleNew("Split", null);
    assertThat(client.waitForCompletion(id, WAIT).getStatus())
        .isEqualTo(OrchestrationStatus.FAILED);

    broken.set(false);
    client.rewind(id, "flaky is back");
    // The rewound instance ran Flaky again and now waits for the first run of Slow.
    awaitCondition(
        () ->
            client.getHistory(id).stream()
                    .filter(e -> e instanceof HistoryEvent.TaskCompleted)
                    .count()
                == 1,
        "Flaky to run again after the rewind");
    assertThat(client.getInstance(id).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.RUNNING);
    slowMayFinish.countDown();

    awaitStatus(id, OrchestrationStatus.COMPLETED);
    assertThat(client.getInstance(id).orElseThrow().readOutputAs(String.class))
        .isEqualTo("slow+flaky");
    assertThat(slowRuns).hasValue(1);
    assertThat(flakyRuns).hasValue(2);
  }

  @Test
  void rewind_runsAgainAnActivityWhoseResultWasDropped_byAnEarlierRelease() throws Exception {
    CountDownLatch slowMayFinish = new CountDownLatch(1);
    slowMayFinish.countDown();
    AtomicInteger slowRuns = new AtomicInteger();
    AtomicInteger flakyRuns = new AtomicInteger();
    DurableStore store = newStore();
    GatedStore gated = new GatedStore(store);
    startSplitThatFailsWhileSlowRuns(
        gated, slowMayFinish, slowRuns, flakyRuns, new AtomicBoolean(false));
    String id = client.scheduleNew("Split", null);

    // The engine's workers wait at the gate, so the test writes what an earlier release left:
    // Split scheduled Slow and Flaky and failed on Flaky, and the result of Slow, which came while
    // the instance was Failed, was dropped. No task of Slow is left, and no answer.
    OrchestrationWorkItem item = store.nextOrchestration(WAIT).orElseThrow();
    Instant t = Instant.now();
    HistoryEvent started = item.messages().getFirst().event();
    assertThat(started).isInstanceOf(HistoryEvent.ExecutionStarted.class);
    FailureDetails down = FailureDetails.fromException(new IllegalStateException("down"));
    store
        .checkpoint(
            episode(item, 0)
                .events(
                    new HistoryEvent.OrchestratorStarted(t),
                    started,
                    new HistoryEvent.TaskScheduled(t, 0, "Slow", null),
                    new HistoryEvent.TaskScheduled(t, 1, "Flaky", null),
                    new HistoryEvent.OrchestratorStarted(t),
                    new HistoryEvent.TaskFailed(t, 1, down),
                    new HistoryEvent.ExecutionCompleted(t, OrchestrationStatus.FAILED, null, down))
                .instance(item.instance().withOutcome(OrchestrationStatus.FAILED, null, down, t))
                .build())
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    gated.open();
    assertThat(client.getInstance(id).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.FAILED);

    client.rewind(id, "flaky is back");

    awaitStatus(id, OrchestrationStatus.COMPLETED);
    assertThat(client.getInstance(id).orElseThrow().readOutputAs(String.class))
        .isEqualTo("slow+flaky");
    assertThat(slowRuns).hasValue(1);
    assertThat(flakyRuns).hasValue(1);
  }

  @Test
  void rewind_deliversTheOutputOfAChildThatCompleted_whoseAnswerAnEarlierReleaseDropped()
      throws Exception {
    AtomicInteger childRuns = new AtomicInteger();
    AtomicInteger flakyRuns = new AtomicInteger();
    DurableStore store = newStore();
    GatedStore gated = new GatedStore(store);
    start(
        gated,
        b ->
            b.orchestrator(
                    "Parent",
                    ctx -> {
                      Task<String> child =
                          ctx.callSubOrchestrator("Child", null, "child-of-parent", String.class);
                      String flaky = ctx.callActivity("Flaky", null, String.class).await();
                      return child.await() + "+" + flaky;
                    })
                .orchestrator(
                    "Child",
                    ctx -> {
                      childRuns.incrementAndGet();
                      return "child again";
                    })
                .activity(
                    "Flaky",
                    ctx -> {
                      flakyRuns.incrementAndGet();
                      return "flaky";
                    }));
    String id = client.scheduleNew("Parent", null);

    // As an earlier release left it: Parent started Child and failed on Flaky; Child completed
    // while Parent was Failed, and its answer was dropped.
    OrchestrationWorkItem item = store.nextOrchestration(WAIT).orElseThrow();
    Instant t = Instant.now();
    InstanceRecord parent = item.instance();
    ParentInstance link = new ParentInstance(id, parent.executionId(), 0);
    HistoryEvent.ExecutionStarted childStarted =
        new HistoryEvent.ExecutionStarted(t, "Child", "child-execution", null, link, null);
    InstanceRecord childRow =
        InstanceRecord.builder("child-of-parent", "Child")
            .executionId("child-execution")
            .status(OrchestrationStatus.PENDING)
            .createdAt(t)
            .lastUpdatedAt(t)
            .parent(link)
            .build();
    FailureDetails down = FailureDetails.fromException(new IllegalStateException("down"));
    store
        .checkpoint(
            episode(item, 0)
                .events(
                    new HistoryEvent.OrchestratorStarted(t),
                    item.messages().getFirst().event(),
                    new HistoryEvent.SubOrchestrationInstanceCreated(
                        t, 0, "Child", "child-of-parent", null),
                    new HistoryEvent.TaskScheduled(t, 1, "Flaky", null),
                    new HistoryEvent.OrchestratorStarted(t),
                    new HistoryEvent.TaskFailed(t, 1, down),
                    new HistoryEvent.ExecutionCompleted(t, OrchestrationStatus.FAILED, null, down))
                .instance(parent.withOutcome(OrchestrationStatus.FAILED, null, down, t))
                .child(new NewInstance(childRow, childStarted, null))
                .build())
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    OrchestrationWorkItem child = store.nextOrchestration(WAIT).orElseThrow();
    assertThat(child.instance().instanceId()).isEqualTo("child-of-parent");
    store
        .checkpoint(
            episode(child, 0)
                .events(
                    new HistoryEvent.OrchestratorStarted(t),
                    childStarted,
                    new HistoryEvent.ExecutionCompleted(
                        t, OrchestrationStatus.COMPLETED, "\"child\"", null))
                .instance(
                    child
                        .instance()
                        .withOutcome(OrchestrationStatus.COMPLETED, "\"child\"", null, t))
                .build())
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    gated.open();

    client.rewind(id, "flaky is back");

    awaitStatus(id, OrchestrationStatus.COMPLETED);
    assertThat(client.getInstance(id).orElseThrow().readOutputAs(String.class))
        .isEqualTo("child+flaky");
    assertThat(childRuns).hasValue(0);
    assertThat(flakyRuns).hasValue(1);
  }

  /** Waits until {@code condition} holds (shared with other modules' engine tests). */
  public static void awaitCondition(Poll.Condition condition, String what) {
    Poll.until(what, condition);
  }
}
