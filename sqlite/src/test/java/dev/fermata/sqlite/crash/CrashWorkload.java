package dev.fermata.sqlite.crash;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.fermata.ActivityContext;
import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.OrchestrationContext;
import dev.fermata.RetryPolicy;
import dev.fermata.Task;
import dev.fermata.engine.Counter;
import dev.fermata.entities.CriticalSection;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntityQuery;
import dev.fermata.sqlite.SqliteOptions;
import dev.fermata.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The workload {@link CrashIT} kills: a child JVM running a Fermata engine on a SQLite file.
 *
 * <p>Usage: {@code CrashWorkload <db path> start|resume}. Both modes start the engine and print
 * {@code READY}; {@code start} then schedules every top-level instance of {@link #expected()} (and
 * raises the client events they need) and prints {@code SCHEDULED}. Whatever the mode, the child
 * prints {@code DONE} once every expected instance has finished, and keeps running until it is
 * killed or its standard input is closed, which shuts the engine down gracefully (so a test JVM
 * that dies takes its child with it).
 *
 * <p>Every activity execution is appended to {@code activities.log} beside the database and fsynced
 * before the activity returns, so the test can count executions, crashes included.
 *
 * <p>Outputs are deterministic functions of the inputs, however often the process dies; the
 * instances cover activities, retries, timers, scheduled starts, client events, events sent between
 * instances, sub-orchestrations, continueAsNew and durable entities (counters updated by calls,
 * signals and critical sections, which must end at exact totals).
 */
public final class CrashWorkload {
  /** Top-level instances; their sub-orchestrations come on top. */
  static final int INSTANCES = 240;

  static final int MAX_CONCURRENT_ACTIVITIES = 16;
  static final int MAX_HELD_RESULTS = 16;
  static final String ACTIVITY_LOG = "activities.log";

  /** Orchestrations that update the shared counter entities (on top of {@link #INSTANCES}). */
  static final int TALLIES = 60;

  /** The counter entities the tallies update, and the totals they must end with. */
  static final EntityId CALLED = new EntityId(Counter.NAME, "called");

  static final EntityId SIGNALLED = new EntityId(Counter.NAME, "signalled");
  static final EntityId PAIR_A = new EntityId(Counter.NAME, "pair-a");
  static final EntityId PAIR_B = new EntityId(Counter.NAME, "pair-b");

  /** Iterations of the continueAsNew loop. */
  static final int LOOP_ROUNDS = 4;

  /**
   * Scheduled starts are spread over 40 slots of 500 ms (20 s), so that work is still going on when
   * the later kills come (the test kills five times, a second or two apart, plus restarts that take
   * a few seconds each on a busy machine).
   */
  private static final int START_SLOTS = 40;

  private static final Duration START_SLOT = Duration.ofMillis(500);
  private static final RetryPolicy RETRY = RetryPolicy.of(3, Duration.ofMillis(100));

  /** An activity's input: {@code key} names the logical call, the same for every attempt. */
  public record Call(String key, long value) {}

  /** The continueAsNew loop's state. */
  public record Loop(long n, int round, long acc) {}

  /**
   * An instance the workload runs and what it must end with.
   *
   * @param input what the client starts it with; null for a sub-orchestration
   * @param parentId the parent of a sub-orchestration, else null
   * @param callKeys the logical activity calls it makes (each must run at least once)
   */
  record Expected(
      String instanceId,
      String orchestrator,
      Object input,
      String parentId,
      String output,
      List<String> callKeys) {}

  private CrashWorkload() {}

  static String instanceId(int i) {
    return String.format("crash-%03d", i);
  }

  private static String callKey(String instanceId, String call) {
    return instanceId + "/" + call;
  }

  private static List<String> callKeys(String instanceId, String... calls) {
    List<String> keys = new ArrayList<>();
    for (String call : calls) {
      keys.add(callKey(instanceId, call));
    }
    return keys;
  }

  private static String goPayload(long n) {
    return "go-" + n;
  }

  /**
   * Every instance, top-level ones in scheduling order; outputs are computed here independently of
   * the orchestrator code below, so a wrong result cannot hide.
   */
  static List<Expected> expected() {
    List<Expected> all = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      String id = instanceId(i);
      long n = i;
      switch (i % 6) {
        case 0 -> all.add(chain(id, n, null));
        case 1 -> {
          long sum = n * n + (n + 1) * (n + 1) + (n + 2) * (n + 2) + 2 * n;
          all.add(
              new Expected(
                  id, "FanOut", n, null, "fan:" + sum, callKeys(id, "sq0", "sq1", "sq2", "flaky")));
        }
        case 2 -> {
          Expected chain = chain(id + "-chain", n, id);
          Expected loop = loop(id + "-loop", n, id);
          String output = "parent:" + chain.output() + "|" + loop.output() + "|" + (n + 1);
          all.add(new Expected(id, "Parent", n, null, output, callKeys(id, "after")));
          all.add(chain);
          all.add(loop);
        }
        case 3 -> all.add(loop(id, n, null));
        // The waiter gets "go" from the client and "ping" (its pinger's n + 1) from instance i + 1.
        case 4 ->
            all.add(
                new Expected(
                    id,
                    "Waiter",
                    n,
                    null,
                    "waiter:" + goPayload(n) + ":" + (n + 2),
                    callKeys(id, "echo")));
        // The pinger gets back, as "ack", the "go" payload of its waiter, instance i - 1.
        default ->
            all.add(
                new Expected(
                    id, "Pinger", n, null, "pinger:" + goPayload(n - 1), callKeys(id, "ping")));
      }
    }
    for (int j = 0; j < TALLIES; j++) {
      all.add(
          new Expected(
              String.format("tally-%03d", j), "Tally", (long) j, null, "tally:" + j, List.of()));
    }
    return all;
  }

  /** What each counter entity must hold once every tally has run exactly once. */
  static Map<EntityId, Integer> expectedCounters() {
    Map<EntityId, Integer> totals = new LinkedHashMap<>();
    totals.put(CALLED, TALLIES * (TALLIES + 1) / 2); // tally j adds j + 1
    totals.put(SIGNALLED, TALLIES);
    totals.put(PAIR_A, TALLIES);
    totals.put(PAIR_B, 2 * TALLIES);
    return totals;
  }

  private static Expected chain(String id, long n, String parentId) {
    long result = 2 * (n + 1) + 1;
    return new Expected(
        id,
        "Chain",
        parentId == null ? n : null,
        parentId,
        "chain:" + result,
        callKeys(id, "add1", "flaky", "add2"));
  }

  private static Expected loop(String id, long n, String parentId) {
    List<String> calls = new ArrayList<>();
    for (int round = 0; round < LOOP_ROUNDS; round++) {
      calls.add(callKey(id, "round" + round));
    }
    return new Expected(
        id,
        "Loop",
        parentId == null ? new Loop(n, 0, 0) : null,
        parentId,
        "loop:" + LOOP_ROUNDS * (n + 1),
        calls);
  }

  // ---- the child JVM ----

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !Set.of("start", "resume").contains(args[1])) {
      System.err.println("usage: CrashWorkload <db path> start|resume");
      System.exit(2);
    }
    Path db = Path.of(args[0]);
    List<Expected> expected = expected();
    try (ActivityLog log = ActivityLog.open(db.resolveSibling(ACTIVITY_LOG));
        Fermata engine = engine(db, log).start()) {
      say("READY");
      if (args[1].equals("start")) {
        schedule(engine.client(), expected);
        say("SCHEDULED");
      }
      Thread.ofPlatform().daemon().start(() -> sayDoneWhenFinished(engine.client(), expected));
      while (System.in.read() != -1) {
        // the parent never writes; end of input is the signal to stop
      }
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  static Fermata engine(Path db, ActivityLog log) {
    return Fermata.builder()
        // The default options (synchronous = FULL), but for a small bound on held results.
        .store(SqliteStore.open(SqliteOptions.builder(db).maxHeldResults(MAX_HELD_RESULTS).build()))
        .maxConcurrentActivities(MAX_CONCURRENT_ACTIVITIES)
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .orchestrator("Chain", Long.class, CrashWorkload::chain)
        .orchestrator("FanOut", Long.class, CrashWorkload::fanOut)
        .orchestrator("Parent", Long.class, CrashWorkload::parent)
        .orchestrator("Loop", Loop.class, CrashWorkload::loop)
        .orchestrator("Waiter", Long.class, CrashWorkload::waiter)
        .orchestrator("Pinger", Long.class, CrashWorkload::pinger)
        .orchestrator("Tally", Long.class, CrashWorkload::tally)
        .entity(Counter.NAME, Counter.FUNCTION)
        .activity(
            "Add",
            Call.class,
            (ctx, call) -> {
              log.record(ctx, call.key());
              return call.value() + 1;
            })
        .activity(
            "Square",
            Call.class,
            (ctx, call) -> {
              log.record(ctx, call.key());
              return call.value() * call.value();
            })
        .activity(
            "Echo",
            Call.class,
            (ctx, call) -> {
              log.record(ctx, call.key());
              return call.value();
            })
        .activity(
            "Flaky",
            Call.class,
            (ctx, call) -> {
              // The first execution of each logical call fails, in whichever process it ran; so
              // the retry policy always has work, and the result never depends on when we died.
              if (!log.record(ctx, call.key())) {
                throw new IllegalStateException("first attempt of " + call.key() + " fails");
              }
              return call.value() * 2;
            })
        .build();
  }

  /**
   * Schedules the top-level instances, waiters before their pingers (an event sent to an instance
   * that does not exist yet is dropped). Start times are spread and shuffled, so a pinger may start
   * before its waiter, whose first events then arrive while it is still pending.
   */
  private static void schedule(FermataClient client, List<Expected> expected) {
    Instant base = Instant.now();
    int i = 0;
    for (Expected e : expected) {
      if (e.parentId() != null) {
        continue;
      }
      Instant startAt = base.plus(START_SLOT.multipliedBy((i++ * 7L) % START_SLOTS));
      client.scheduleNew(e.orchestrator(), e.input(), new StartOptions(e.instanceId(), startAt));
      if (e.orchestrator().equals("Waiter")) {
        // Durable once raiseEvent returns, and the test kills only after SCHEDULED.
        client.raiseEvent(e.instanceId(), "go", goPayload((Long) e.input()));
      }
    }
  }

  private static void sayDoneWhenFinished(FermataClient client, List<Expected> expected) {
    try {
      for (Expected e : expected) {
        while (!client
            .getInstance(e.instanceId(), false)
            .map(s -> s.getStatus().isTerminal())
            .orElse(false)) {
          Thread.sleep(200);
        }
      }
      // Signals and lock releases are delivered after their orchestrations end.
      for (var total : expectedCounters().entrySet()) {
        while (!client
            .getEntity(total.getKey(), Integer.class)
            .map(s -> s.state().equals(total.getValue()))
            .orElse(false)) {
          Thread.sleep(200);
        }
      }
      while (!client.queryEntities(EntityQuery.all()).entities().stream()
          .allMatch(m -> m.lockedBy() == null)) {
        Thread.sleep(200);
      }
      say("DONE");
    } catch (InterruptedException | IllegalStateException e) {
      // the engine is shutting down
    }
  }

  // ---- orchestrators ----

  private static long add(OrchestrationContext ctx, String call, long value) {
    return ctx.callActivity("Add", new Call(callKey(ctx.getInstanceId(), call), value), Long.class)
        .await();
  }

  private static Task<Long> flaky(OrchestrationContext ctx, long value) {
    return ctx.callActivity(
        "Flaky", new Call(callKey(ctx.getInstanceId(), "flaky"), value), RETRY, Long.class);
  }

  /** An activity, a timer of 50-300 ms, an activity that needs a retry, an activity. */
  private static Object chain(OrchestrationContext ctx, Long n) {
    long a = add(ctx, "add1", n);
    ctx.createTimer(Duration.ofMillis(50 + (n * 37) % 251)).await();
    long b = flaky(ctx, a).await();
    return "chain:" + add(ctx, "add2", b);
  }

  /** Four activities in parallel, one of them retried. */
  private static Object fanOut(OrchestrationContext ctx, Long n) {
    List<Task<Long>> parts = new ArrayList<>();
    for (int j = 0; j < 3; j++) {
      Call call = new Call(callKey(ctx.getInstanceId(), "sq" + j), n + j);
      parts.add(ctx.callActivity("Square", call, Long.class));
    }
    parts.add(flaky(ctx, n));
    long sum = 0;
    for (long part : Task.allOf(parts).await()) {
      sum += part;
    }
    return "fan:" + sum;
  }

  /** Two sub-orchestrations (one of which continues as new) alongside an activity. */
  private static Object parent(OrchestrationContext ctx, Long n) {
    String id = ctx.getInstanceId();
    Task<String> chain = ctx.callSubOrchestrator("Chain", n, id + "-chain", String.class);
    Task<String> loop =
        ctx.callSubOrchestrator("Loop", new Loop(n, 0, 0), id + "-loop", String.class);
    long after = add(ctx, "after", n);
    return "parent:" + chain.await() + "|" + loop.await() + "|" + after;
  }

  /** A counter that continues as new after each round: an activity and a timer per round. */
  private static Object loop(OrchestrationContext ctx, Loop state) {
    long acc = add(ctx, "round" + state.round(), state.acc() + state.n());
    ctx.createTimer(Duration.ofMillis(100)).await();
    if (state.round() + 1 < LOOP_ROUNDS) {
      ctx.continueAsNew(new Loop(state.n(), state.round() + 1, acc));
      return null;
    }
    return "loop:" + acc;
  }

  /** Waits for the client's "go" and its pinger's "ping", then acknowledges to the pinger. */
  private static Object waiter(OrchestrationContext ctx, Long n) {
    String go = ctx.waitForExternalEvent("go", String.class).await();
    long ping = ctx.waitForExternalEvent("ping", Long.class).await();
    Call echo = new Call(callKey(ctx.getInstanceId(), "echo"), ping);
    long echoed = ctx.callActivity("Echo", echo, Long.class).await();
    ctx.sendEvent(instanceId((int) (n + 1)), "ack", go);
    return "waiter:" + go + ":" + echoed;
  }

  /** Sends "ping" to its waiter and waits for the "ack". */
  private static Object pinger(OrchestrationContext ctx, Long n) {
    long value = add(ctx, "ping", n);
    ctx.sendEvent(instanceId((int) (n - 1)), "ping", value);
    return "pinger:" + ctx.waitForExternalEvent("ack", String.class).await();
  }

  /** Calls, signals and a critical section on the shared counters. */
  private static Object tally(OrchestrationContext ctx, Long n) {
    ctx.callEntity(CALLED, "add", (int) (n + 1), Void.class).await();
    ctx.signalEntity(SIGNALLED, "add", 1);
    try (CriticalSection cs = ctx.lockEntities(PAIR_B, PAIR_A)) {
      ctx.callEntity(PAIR_A, "add", 1, Void.class).await();
      ctx.callEntity(PAIR_B, "add", 2, Void.class).await();
    }
    return "tally:" + n;
  }

  // ---- the activity log ----

  /**
   * One line per activity execution: {@code <idempotency key> <activity> <call key>}, where the
   * idempotency key is {@code instanceId:executionId:taskId}. Each line is fsynced before the
   * activity returns, so no execution whose result the engine may have stored is missing.
   */
  static final class ActivityLog implements AutoCloseable {
    record Line(String idempotencyKey, String activity, String callKey) {}

    private final FileChannel channel;
    private final Set<String> callsRun;

    private ActivityLog(FileChannel channel, Set<String> callsRun) {
      this.channel = channel;
      this.callsRun = callsRun;
    }

    static ActivityLog open(Path file) throws IOException {
      Set<String> callsRun = new HashSet<>();
      for (Line line : read(file)) {
        callsRun.add(line.callKey());
      }
      FileChannel channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      return new ActivityLog(channel, callsRun);
    }

    /** Every complete line of the log (none if it does not exist). */
    static List<Line> read(Path file) throws IOException {
      List<Line> lines = new ArrayList<>();
      if (!Files.exists(file)) {
        return lines;
      }
      String text = Files.readString(file, UTF_8);
      // A line is written with one write(2), so a kill cannot tear it; stay safe anyway.
      int end = text.lastIndexOf('\n') + 1;
      for (String line : text.substring(0, end).split("\n")) {
        if (!line.isEmpty()) {
          String[] parts = line.split(" ");
          lines.add(new Line(parts[0], parts[1], parts[2]));
        }
      }
      return lines;
    }

    /**
     * Records one execution durably.
     *
     * @return true if the same logical call had run before, in this process or an earlier one
     */
    synchronized boolean record(ActivityContext ctx, String callKey) throws IOException {
      String line = ctx.getIdempotencyKey() + " " + ctx.getName() + " " + callKey + "\n";
      ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(false);
      return !callsRun.add(callKey);
    }

    @Override
    public synchronized void close() throws IOException {
      channel.close();
    }
  }
}
