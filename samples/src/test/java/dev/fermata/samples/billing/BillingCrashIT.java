package dev.fermata.samples.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * Kills a process in the middle of a billing run with SIGKILL, several times, restarting it after
 * each kill, and checks afterwards that every subscription was charged exactly once and every email
 * sent exactly once. Activities run at least once, so charges and emails interrupted by a kill run
 * again; the idempotency keys are what keeps them single.
 *
 * <p>The seed (kill timings and payment failures) is printed; pass {@code -Dcrash.seed=N} to reuse
 * one.
 */
class BillingCrashIT {
  private static final int SUBSCRIPTIONS = 40;
  private static final int KILLS = 3;
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration FINISH = Duration.ofMinutes(3);

  @Test
  void nobodyIsChargedOrMailedTwice_acrossKills(
      @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir, TestReporter reporter) throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    Random random = new Random(seed);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    long expectedTotal = 0;
    try (BillingSystems systems =
        BillingSystems.open(dir.resolve("billing.db"), FaultPlan.none(), Duration.ZERO)) {
      for (int i = 1; i <= SUBSCRIPTIONS; i++) {
        long cents = 100L * i + 99;
        expectedTotal += cents;
        systems
            .subscriptions()
            .save(new Subscription(sub(i), sub(i) + "@example.com", "pro", cents, today));
      }
    }

    List<String> rounds = new ArrayList<>();
    int killsDuringWork = 0;
    Child child = Child.start(dir, "start", seed, 0);
    try {
      child.await("SCHEDULED", STARTUP);
      for (int kill = 1; kill <= KILLS; kill++) {
        String when;
        if (kill == 1) {
          // The first kill waits for a number of charges rather than a time, so that at least one
          // kill lands in the middle of the work however fast or slow this machine runs it.
          int charges = 1 + random.nextInt(SUBSCRIPTIONS / 2);
          assertThat(awaitCharges(dir.resolve("billing.db"), charges, child, FINISH))
              .as("the run made " + charges + " charges within " + FINISH)
              .isTrue();
          when = "once " + charges + " were charged";
        } else {
          long runMillis = 300 + random.nextInt(900);
          Thread.sleep(runMillis);
          when = "after " + runMillis + " ms";
        }
        boolean doneBefore = child.saw("DONE");
        assertThat(child.kill()).as("exit code of a JVM killed by SIGKILL").isEqualTo(137);
        Progress progress = Progress.read(dir.resolve("billing.db"));
        if (!doneBefore && progress.emails() < SUBSCRIPTIONS + 1) {
          killsDuringWork++;
        }
        rounds.add("kill " + kill + " " + when + ": " + progress);
        // A new fault seed per process, so a restart does not replay the same failures.
        child = Child.start(dir, "resume", seed + kill, kill);
        child.await("READY", STARTUP);
      }
      assertThat(child.await("DONE", FINISH)).as("the run finished within " + FINISH).isTrue();
      assertThat(child.stop()).as("exit code after a graceful stop").isZero();
    } finally {
      child.close();
    }

    InstanceRecord run = finishedRun(dir.resolve("fermata.db"));
    try (BillingSystems systems =
        BillingSystems.open(dir.resolve("billing.db"), FaultPlan.none(), Duration.ZERO)) {
      Map<String, Integer> charges = systems.payments().chargesPerSubscription();
      Map<String, Long> emailsPerRecipient =
          systems.outbox().sent().stream()
              .collect(Collectors.groupingBy(Email::to, Collectors.counting()));
      Map<String, Integer> requests = systems.payments().requestOutcomes();
      String summary =
          String.format(
              "BillingCrashIT seed=%d: %s; payment requests %s",
              seed, String.join("; ", rounds), requests);
      System.out.println(summary);
      reporter.publishEntry("billing-crash", summary);

      assertThat(run.status())
          .as("the billing run's status")
          .isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(charges).as("charges per subscription").hasSize(SUBSCRIPTIONS);
      assertThat(charges.values()).as("charges per subscription").containsOnly(1);
      assertThat(emailsPerRecipient)
          .as("emails per recipient")
          .hasSize(SUBSCRIPTIONS + 1)
          .allSatisfy((to, n) -> assertThat(n).as("emails to " + to).isEqualTo(1));
      assertThat(run.output()).contains("\"totalChargedCents\":" + expectedTotal);
      assertThat(run.output()).contains("\"failedCharges\":0");
      assertThat(killsDuringWork).as("kills that interrupted the run").isGreaterThanOrEqualTo(1);
    }
  }

  /** Polls the billing database until it holds that many charges; false if the run ends first. */
  private static boolean awaitCharges(Path db, int charges, Child child, Duration timeout)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && !child.saw("DONE")) {
      if (Progress.read(db).charges() >= charges) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  private static String sub(int i) {
    return String.format("s-%03d", i);
  }

  private static InstanceRecord finishedRun(Path db) {
    SqliteStore store = SqliteStore.open(db);
    store.start(InstantSource.system());
    try {
      return store.getInstance(BillingCrashWorkload.instanceId()).orElseThrow();
    } finally {
      store.close();
    }
  }

  /** What the systems have done so far, read without writing (no process runs at that point). */
  private record Progress(int charges, int emails) {
    static Progress read(Path db) throws SQLException {
      SQLiteConfig readOnly = new SQLiteConfig();
      readOnly.setReadOnly(true);
      readOnly.setBusyTimeout(5_000);
      try (Connection c =
              DriverManager.getConnection("jdbc:sqlite:" + db, readOnly.toProperties());
          Statement s = c.createStatement()) {
        Function<String, Integer> count =
            table -> {
              try (ResultSet row = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                return row.next() ? row.getInt(1) : 0;
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            };
        return new Progress(count.apply("charges"), count.apply("emails"));
      }
    }

    @Override
    public String toString() {
      return charges + " charged, " + emails + " emails sent";
    }
  }

  /** A workload JVM: stdout lines are collected, stderr goes to a log file in the test's dir. */
  private static final class Child implements AutoCloseable {
    private static final String EOF = "\0eof";
    private final Process process;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Child(Process process, Path log) {
      this.process = process;
      this.log = log;
      Thread.ofPlatform().daemon().name("billing-child-stdout").start(this::readStdout);
    }

    static Child start(Path dir, String mode, long seed, int number) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path log = dir.resolve("child-" + number + ".log");
      Process p =
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  System.getProperty("java.class.path"),
                  BillingCrashWorkload.class.getName(),
                  dir.toString(),
                  mode,
                  Long.toString(seed))
              .redirectError(log.toFile())
              .start();
      return new Child(p, log);
    }

    private void readStdout() {
      try (var reader = process.inputReader()) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          seen.add(line);
          lines.add(line);
        }
      } catch (IOException e) {
        // the process died
      }
      lines.add(EOF);
    }

    boolean saw(String line) {
      return seen.contains(line);
    }

    /** Waits for a line; false on timeout; fails if the process ends first. */
    boolean await(String expected, Duration timeout) throws InterruptedException, IOException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!saw(expected)) {
        String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null) {
          return false;
        }
        if (line.equals(EOF)) {
          throw new AssertionError(
              "the workload JVM ended before printing " + expected + "; its log:\n" + logText());
        }
      }
      return true;
    }

    int kill() throws InterruptedException {
      process.destroyForcibly();
      return process.waitFor();
    }

    int stop() throws IOException, InterruptedException {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the workload JVM did not stop within 30 s");
      }
      return process.exitValue();
    }

    private String logText() throws IOException {
      return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }
}
