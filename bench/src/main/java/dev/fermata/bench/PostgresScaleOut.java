package dev.fermata.bench;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.postgres.PostgresOptions;
import dev.fermata.postgres.PostgresStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scale-out on PostgreSQL: the W1 orchestration (three activities in sequence) run by 1, 2, 3...
 * worker processes sharing one task hub. Each worker is a JVM of its own with an engine and a
 * store; this process only schedules and waits (its store takes no work). Each worker count gets a
 * fresh hub, dropped afterwards.
 *
 * <p>Usage: {@code PostgresScaleOut [--url jdbc:postgresql://127.0.0.1:5432/test] [--user postgres]
 * [--password PW] [--orchestrations 1000] [--workers 1,2,3]}. One JSON line per figure on standard
 * output.
 */
public final class PostgresScaleOut {
  private static final Duration WAIT = Duration.ofMinutes(10);
  private static final int CLIENT_THREADS = 8;
  private static final Duration WARM_UP = Duration.ofSeconds(10);

  private PostgresScaleOut() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--worker")) {
      runWorker(args[1], emptyToNull(args[2]), emptyToNull(args[3]), args[4]);
      return;
    }
    String url = "jdbc:postgresql://127.0.0.1:5432/test";
    String user = "postgres";
    String password = null;
    int orchestrations = 1000;
    List<Integer> workerCounts = List.of(1, 2, 3);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--url" -> url = args[++i];
        case "--user" -> user = args[++i];
        case "--password" -> password = args[++i];
        case "--orchestrations" -> orchestrations = Integer.parseInt(args[++i]);
        case "--workers" ->
            workerCounts =
                java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        default -> {
          System.err.println(
              "usage: PostgresScaleOut [--url URL] [--user U] [--password P]"
                  + " [--orchestrations 1000] [--workers 1,2,3]");
          System.exit(2);
        }
      }
    }
    for (int workers : workerCounts) {
      measure(url, user, password, workers, orchestrations);
    }
    System.exit(0);
  }

  private static void measure(
      String url, String user, String password, int workers, int orchestrations) throws Exception {
    String hub = "benchscale" + workers + "x" + ThreadLocalRandom.current().nextInt(1 << 20);
    PostgresOptions options =
        PostgresOptions.builder(url).user(user).password(password).hubName(hub).build();
    List<Process> processes = new ArrayList<>();
    PostgresStore clientStore = PostgresStore.open(options);
    clientStore.start(InstantSource.system()); // creates the hub before the workers start
    try {
      for (int i = 0; i < workers; i++) {
        processes.add(startWorker(url, user, password, hub));
      }
      for (Process p : processes) {
        awaitReady(p);
      }
      // An engine used only for its client: it is never started, so it runs no workers.
      Fermata clientOnly = BenchFunctions.register(Fermata.builder().store(clientStore)).build();
      FermataClient client = clientOnly.client();
      // Rounds for at least 10 s, so the workers' JIT compilers are done before the measurement.
      long warmUntil = System.nanoTime() + WARM_UP.toNanos();
      int rounds = 0;
      do {
        log("postgres x" + workers + ": warm-up round " + ++rounds);
        run(client, Math.max(20, orchestrations / 4));
      } while (System.nanoTime() < warmUntil);
      log("postgres x" + workers + ": measuring " + orchestrations);
      long transactionsBefore = PostgresBench.transactionCount(url, user, password);
      long nanos = run(client, orchestrations);
      double perSecond = orchestrations / (nanos / 1e9);
      long transactions = PostgresBench.transactionCount(url, user, password) - transactionsBefore;
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("workers", workers);
      params.put("orchestrations", orchestrations);
      params.put("client_threads", CLIENT_THREADS);
      System.out.println(
          new Figure(
                  "fermata-postgres",
                  "W1-scaleout",
                  "orchestrations_per_s",
                  perSecond,
                  "1/s",
                  params)
              .toJson());
      System.out.println(
          new Figure(
                  "fermata-postgres",
                  "W1-scaleout",
                  "activities_per_s",
                  3 * perSecond,
                  "1/s",
                  params)
              .toJson());
      // Every session of the database counts, the client's and the idle workers' included.
      System.out.println(
          new Figure(
                  "fermata-postgres",
                  "W1-scaleout",
                  "postgres_transactions_per_orchestration",
                  (double) transactions / orchestrations,
                  "1",
                  params)
              .toJson());
      System.out.flush();
    } finally {
      for (Process p : processes) {
        p.getOutputStream().close();
      }
      for (Process p : processes) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      clientStore.close();
      PostgresBench.dropSchema(url, user, password, options.schemaName());
    }
  }

  /** Schedules {@code n} orchestrations from several threads and waits for all; wall nanos. */
  private static long run(FermataClient client, int n) throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    try (ExecutorService starters = Executors.newFixedThreadPool(CLIENT_THREADS)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < CLIENT_THREADS; t++) {
        done.add(
            starters.submit(
                () -> {
                  while (next.getAndIncrement() < n) {
                    ids.add(client.scheduleNew(BenchFunctions.SEQ3, "s"));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
    try (ExecutorService waiters = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> waits = new ArrayList<>();
      for (String id : ids) {
        waits.add(
            waiters.submit(
                () -> {
                  InstanceState s = client.waitForCompletion(id, WAIT);
                  if (s.getStatus() != OrchestrationStatus.COMPLETED) {
                    throw new IllegalStateException(id + " ended " + s.getStatus());
                  }
                  return null;
                }));
      }
      for (Future<?> f : waits) {
        f.get();
      }
    }
    return System.nanoTime() - start;
  }

  private static Process startWorker(String url, String user, String password, String hub)
      throws Exception {
    return new ProcessBuilder(
            ChildJvm.command(
                PostgresScaleOut.class,
                List.of("-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
                List.of(
                    "--worker",
                    url,
                    user == null ? "" : user,
                    password == null ? "" : password,
                    hub)))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static void awaitReady(Process p) throws Exception {
    var reader = p.inputReader();
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (line.equals("READY")) {
        return;
      }
    }
    throw new IllegalStateException("a worker ended before it was ready");
  }

  /** A worker process: an engine on the hub until standard input closes. */
  private static void runWorker(String url, String user, String password, String hub)
      throws Exception {
    PostgresOptions options =
        PostgresOptions.builder(url).user(user).password(password).hubName(hub).build();
    try (Fermata engine =
        BenchFunctions.register(Fermata.builder().store(PostgresStore.open(options)))
            .shutdownGracePeriod(Duration.ofSeconds(5))
            .build()
            .start()) {
      System.out.println("READY");
      System.out.flush();
      while (System.in.read() != -1) {
        // end of input is the signal to stop
      }
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static void log(String message) {
    System.err.println("[bench] " + message);
  }
}
