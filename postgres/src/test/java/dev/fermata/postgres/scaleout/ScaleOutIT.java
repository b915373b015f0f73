package dev.fermata.postgres.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.postgres.PostgresOptions;
import dev.fermata.postgres.PostgresStore;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.testsupport.Poll;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three worker processes on one hub run {@link ScaleOutWorkload} (activities, retries, timers,
 * events, sub-orchestrations, continueAsNew). One test kills a worker with {@code kill -9} while it
 * holds work; the other stops and restarts PostgreSQL under the running workers. Either way every
 * instance must complete with its expected output, with no step recorded twice and every timer
 * fired once.
 */
class ScaleOutIT {
  /** Short, so that the killed worker's work is taken over quickly. */
  private static final Duration LEASE = Duration.ofSeconds(2);

  private static final Duration FINISH = Duration.ofSeconds(120);
  private static final String HUB = "scaleout";

  @TempDir Path dir;

  @Test
  void killingOneOfThreeWorkers_itsWorkIsTakenOverAndEverythingCompletesOnce() throws Exception {
    try (TestPostgres postgres = TestPostgres.createDatabase()) {
      String url = postgres.jdbcUrl();
      createRunsTable(url);
      List<WorkerProcess> workers = startWorkers(url);
      try (PostgresStore observer = observer(url)) {
        WorkerProcess victim = workers.get(1);
        String victimId = victim.workerId();
        Poll.until(
            "the victim to hold work",
            Duration.ofSeconds(60),
            () -> runsBy(url, victim.name) >= 3 && leasesHeldBy(url, victimId) > 0);
        int heldAtKill = leasesHeldBy(url, victimId);

        assertThat(victim.kill()).as("exit code of a JVM killed by SIGKILL").isEqualTo(137);

        ScaleOutChecks.awaitAllFinished(observer, FINISH, () -> logs(workers));
        ScaleOutChecks.checkInstances(observer);
        Map<String, Integer> runs;
        try (Connection db = connect(url)) {
          runs = ScaleOutChecks.checkActivityRuns(db);
        }
        assertThat(runs.keySet()).as("workers that ran activities").hasSize(3);
        assertThat(leasesHeldBy(url, victimId)).as("the victim's leases, all taken over").isZero();
        System.out.printf(
            "ScaleOutIT kill: victim held %d leases at the kill; activity runs by worker %s%n",
            heldAtKill, runs);
      } finally {
        for (WorkerProcess worker : workers) {
          worker.close();
        }
      }
    }
  }

  @Test
  void restartingPostgres_workersReconnectAndNothingIsLost() throws Exception {
    Path data = dir.resolve("pgdata");
    int port = freePort();
    EmbeddedPostgres server = startServer(data, port);
    String url = "jdbc:postgresql://localhost:" + port + "/postgres";
    List<WorkerProcess> workers = new ArrayList<>();
    try {
      createRunsTable(url);
      workers.addAll(startWorkers(url));
      Poll.until("work to be under way", Duration.ofSeconds(60), () -> totalRuns(url) >= 20);

      server.close(); // a fast shutdown: open connections are cut
      Thread.sleep(1_000); // down for a moment; workers' calls fail meanwhile
      server = startServer(data, port);

      try (PostgresStore observer = observer(url)) {
        ScaleOutChecks.awaitAllFinished(observer, FINISH, () -> logs(workers));
        ScaleOutChecks.checkInstances(observer);
        try (Connection db = connect(url)) {
          ScaleOutChecks.checkActivityRuns(db);
        }
      }
      for (WorkerProcess worker : workers) {
        assertThat(worker.isAlive()).as(worker.name + " survived the restart").isTrue();
        assertThat(worker.logContains("Lost the notification connection"))
            .as(worker.name + " saw the database go away")
            .isTrue();
      }
    } finally {
      for (WorkerProcess worker : workers) {
        worker.close();
      }
      server.close();
    }
  }

  // ---- helpers ----

  private List<WorkerProcess> startWorkers(String url) throws Exception {
    List<WorkerProcess> workers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      workers.add(
          WorkerProcess.start("worker" + i, url, HUB, LEASE, i == 1 ? "schedule" : "work", dir));
    }
    for (WorkerProcess worker : workers) {
      worker.await("READY", Duration.ofSeconds(60));
    }
    workers.get(0).await("SCHEDULED", Duration.ofSeconds(60));
    return workers;
  }

  /** A store in the test process for reading results; it never takes work. */
  private static PostgresStore observer(String url) {
    PostgresStore store =
        PostgresStore.open(
            PostgresOptions.builder(url).user("postgres").hubName(HUB).maxPoolSize(2).build());
    store.start(InstantSource.system());
    return store;
  }

  private static EmbeddedPostgres startServer(Path data, int port) throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void createRunsTable(String url) throws SQLException {
    try (Connection db = connect(url);
        Statement statement = db.createStatement()) {
      statement.execute(ScaleOutWorkload.RUNS_TABLE);
    }
  }

  private static int runsBy(String url, String worker) {
    return count(url, "SELECT count(*) FROM public.activity_runs WHERE worker = ?", worker);
  }

  private static int totalRuns(String url) {
    return count(url, "SELECT count(*) FROM public.activity_runs WHERE worker <> ?", "");
  }

  private static int leasesHeldBy(String url, String workerId) {
    return count(
        url,
        "SELECT (SELECT count(*) FROM fermata_scaleout.instances WHERE locked_by = ?)"
            + " + (SELECT count(*) FROM fermata_scaleout.tasks WHERE locked_by = ?)",
        workerId,
        workerId);
  }

  private static int count(String url, String sql, String... parameters) {
    try (Connection db = connect(url);
        PreparedStatement select = db.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        select.setString(i + 1, parameters[i]);
      }
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", "postgres");
    return DriverManager.getConnection(url, properties);
  }

  private static String logs(List<WorkerProcess> workers) {
    StringBuilder text = new StringBuilder();
    for (WorkerProcess worker : workers) {
      text.append("\n--- ").append(worker.name).append(worker.logTail());
    }
    return text.toString();
  }
}
