package dev.fermata.postgres.scaleout;

import dev.fermata.ActivityContext;
import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.OrchestrationContext;
import dev.fermata.RetryPolicy;
import dev.fermata.Task;
import dev.fermata.postgres.PostgresOptions;
import dev.fermata.postgres.PostgresStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * One worker process of {@link ScaleOutIT}: a Fermata engine on a PostgreSQL hub shared with the
 * other workers.
 *
 * <p>Usage: {@code ScaleOutWorkload <jdbc url> <hub> <worker name> <lease ms> schedule|work}. The
 * worker prints {@code WORKER <store worker id>} and {@code READY} once started; with {@code
 * schedule} it then schedules every top-level instance of {@link #expected()} and prints {@code
 * SCHEDULED}. It runs until killed or until its standard input is closed (a graceful stop).
 *
 * <p>Every activity execution is inserted into the table {@code activity_runs} (in the database's
 * {@code public} schema) before the activity returns, with the worker's name, so the test can see
 * which calls ran where and how often, crashes included. The first execution of each "flaky" call
 * fails, whichever worker ran it, so retries always have work to do.
 */
public final class ScaleOutWorkload {
  static final int INSTANCES = 48;
  static final int LOOP_ROUNDS = 3;
  static final String RUNS_TABLE =
      "CREATE TABLE IF NOT EXISTS public.activity_runs (idempotency_key text NOT NULL,"
          + " activity text NOT NULL, call_key text NOT NULL, worker text NOT NULL)";

  private static final int START_SLOTS = 40;
  private static final Duration START_SLOT = Duration.ofMillis(200);
  private static final RetryPolicy RETRY = RetryPolicy.of(3, Duration.ofMillis(100));

  /** An activity's input: {@code key} names the logical call, the same for every attempt. */
  public record Call(String key, long value) {}

  /** The continueAsNew loop's state. */
  public record Loop(long n, int round, long acc) {}

  /** An instance and what it must end with; {@code input} is null for a sub-orchestration. */
  record Expected(
      String instanceId, String orchestrator, Object input, String output, List<String> calls) {}

  private ScaleOutWorkload() {}

  /** Every instance; outputs are computed here, independently of the orchestrators below. */
  static List<Expected> expected() {
    List<Expected> all = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      String id = String.format("scale-%03d", i);
      long n = i;
      switch (i % 4) {
        case 0 -> all.add(chain(id, n, true));
        case 1 -> {
          Expected chain = chain(id + "-chain", n, false);
          Expected loop = loop(id + "-loop", n, false);
          all.add(
              new Expected(
                  id,
                  "Parent",
                  n,
                  "parent:" + chain.output() + "|" + loop.output() + "|" + (n + 1),
                  List.of(id + "/after")));
          all.add(chain);
          all.add(loop);
        }
        case 2 -> all.add(loop(id, n, true));
        default ->
            all.add(
                new Expected(id, "Waiter", n, "waiter:go-" + n + ":" + n, List.of(id + "/echo")));
      }
    }
    return all;
  }

  private static Expected chain(String id, long n, boolean topLevel) {
    return new Expected(
        id,
        "Chain",
        topLevel ? n : null,
        "chain:" + (2 * (n + 1) + 1),
        List.of(id + "/add1", id + "/flaky", id + "/add2"));
  }

  private static Expected loop(String id, long n, boolean topLevel) {
    List<String> calls = new ArrayList<>();
    for (int round = 0; round < LOOP_ROUNDS; round++) {
      calls.add(id + "/round" + round);
    }
    return new Expected(
        id, "Loop", topLevel ? new Loop(n, 0, 0) : null, "loop:" + LOOP_ROUNDS * (n + 1), calls);
  }

  // ---- the worker process ----

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println(
          "usage: ScaleOutWorkload <jdbc url> <hub> <worker> <lease ms> schedule|work");
      System.exit(2);
    }
    String url = args[0];
    String worker = args[2];
    PostgresStore store =
        PostgresStore.open(
            PostgresOptions.builder(url)
                .user("postgres")
                .hubName(args[1])
                .leaseDuration(Duration.ofMillis(Long.parseLong(args[3])))
                .maxQueuePollingInterval(Duration.ofMillis(500))
                .build());
    RunLog log = new RunLog(url, worker);
    try (Fermata engine = engine(store, log).start()) {
      say("WORKER " + store.workerId());
      say("READY");
      if (args[4].equals("schedule")) {
        schedule(engine.client());
        say("SCHEDULED");
      }
      while (System.in.read() != -1) {
        // the parent never writes; end of input is the signal to stop
      }
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static Fermata engine(PostgresStore store, RunLog log) {
    return Fermata.builder()
        .store(store)
        .maxConcurrentActivities(8)
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .orchestrator("Chain", Long.class, ScaleOutWorkload::chain)
        .orchestrator("Parent", Long.class, ScaleOutWorkload::parent)
        .orchestrator("Loop", Loop.class, ScaleOutWorkload::loop)
        .orchestrator("Waiter", Long.class, ScaleOutWorkload::waiter)
        .activity(
            "Add",
            Call.class,
            (ctx, call) -> {
              log.record(ctx, call.key());
              return call.value() + 1;
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
              if (log.record(ctx, call.key()) == 1) {
                throw new IllegalStateException("first attempt of " + call.key() + " fails");
              }
              return call.value() * 2;
            })
        .build();
  }

  /** Schedules the top-level instances with start times spread over 8 s, and the waiters' event. */
  private static void schedule(FermataClient client) {
    Instant base = Instant.now();
    int i = 0;
    for (Expected e : expected()) {
      if (e.input() == null) {
        continue;
      }
      Instant startAt = base.plus(START_SLOT.multipliedBy((i++ * 7L) % START_SLOTS));
      client.scheduleNew(e.orchestrator(), e.input(), new StartOptions(e.instanceId(), startAt));
      if (e.orchestrator().equals("Waiter")) {
        client.raiseEvent(e.instanceId(), "go", "go-" + e.input());
      }
    }
  }

  // ---- orchestrators ----

  private static long add(OrchestrationContext ctx, String call, long value) {
    return ctx.callActivity("Add", new Call(ctx.getInstanceId() + "/" + call, value), Long.class)
        .await();
  }

  /** An activity, a timer, an activity that needs a retry, an activity. */
  private static Object chain(OrchestrationContext ctx, Long n) {
    long a = add(ctx, "add1", n);
    ctx.createTimer(Duration.ofMillis(100 + (n * 37) % 200)).await();
    long b =
        ctx.callActivity("Flaky", new Call(ctx.getInstanceId() + "/flaky", a), RETRY, Long.class)
            .await();
    return "chain:" + add(ctx, "add2", b);
  }

  /** Two sub-orchestrations (one continues as new) alongside an activity. */
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

  /** Waits for the client's "go", then echoes its number through an activity. */
  private static Object waiter(OrchestrationContext ctx, Long n) {
    String go = ctx.waitForExternalEvent("go", String.class).await();
    Call echo = new Call(ctx.getInstanceId() + "/echo", n);
    return "waiter:" + go + ":" + ctx.callActivity("Echo", echo, Long.class).await();
  }

  // ---- the run log ----

  /**
   * Records activity executions in the database, retrying while it is unreachable (the restart test
   * stops it under running activities).
   */
  static final class RunLog {
    private final String url;
    private final String worker;
    private Connection connection;

    RunLog(String url, String worker) {
      this.url = url;
      this.worker = worker;
    }

    /** Records one execution; returns how many executions of the call there have been. */
    synchronized int record(ActivityContext ctx, String callKey) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        try {
          return insert(ctx, callKey);
        } catch (SQLException e) {
          closeQuietly();
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("cannot record an activity run", e);
          }
          Thread.sleep(200);
        }
      }
    }

    private int insert(ActivityContext ctx, String callKey) throws SQLException {
      if (connection == null) {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("connectTimeout", "3");
        connection = DriverManager.getConnection(url, properties);
      }
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO public.activity_runs VALUES (?, ?, ?, ?);"
                  + " SELECT count(*) FROM public.activity_runs WHERE call_key = ?")) {
        insert.setString(1, ctx.getIdempotencyKey());
        insert.setString(2, ctx.getName());
        insert.setString(3, callKey);
        insert.setString(4, worker);
        insert.setString(5, callKey);
        insert.execute();
        insert.getMoreResults();
        try (ResultSet count = insert.getResultSet()) {
          count.next();
          return count.getInt(1);
        }
      }
    }

    private void closeQuietly() {
      try {
        if (connection != null) {
          connection.close();
        }
      } catch (SQLException ignored) {
        // broken anyway
      }
      connection = null;
    }
  }
}
