package dev.fermata.server;

import static dev.fermata.server.ProcessTestSupport.await;
import static dev.fermata.server.ProcessTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.sqlite.SqliteStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host processes on one SQLite file: a second one is refused before it listens or runs anything,
 * naming the file and the first one's pid; a host whose port is taken exits without running the
 * stored work.
 */
class OneHostPerFileIT {
  @TempDir Path dir;

  private Process startHost(int port, Path log) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin,
                "-Xmx192m",
                // Short-lived JVMs sharing 2 cores: one GC thread, no C2 compilations.
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-Dtest.dir=" + dir,
                "-cp",
                System.getProperty("java.class.path"),
                SlowHostMain.class.getName())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("FERMATA_HTTP_PORT", String.valueOf(port));
    pb.environment().put("FERMATA_GRPC_PORT", "0");
    pb.environment().put("FERMATA_SHUTDOWNGRACEPERIOD", "00:00:05");
    return pb.start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The host's database: the default path, under its working directory. */
  private Path database() throws IOException {
    return dir.toRealPath().resolve("fermata-data").resolve("fermata.db");
  }

  @Test
  void aSecondHostOnTheSameFile_exitsAtStart_namingTheFileAndTheFirstHostsPid() throws Exception {
    Path firstLog = dir.resolve("first.log");
    Process first = startHost(freePort(), firstLog);
    try {
      await("the first host to listen", () -> read(firstLog).contains("Fermata host listening"));

      Path secondLog = dir.resolve("second.log");
      Process second = startHost(freePort(), secondLog);
      try {
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second host exited").isTrue();
        assertThat(second.exitValue()).isEqualTo(1);
        assertThat(read(secondLog))
            .contains("fermata: cannot start:")
            .contains(database().toString())
            .contains("in use by another process (pid " + first.pid() + " on host ")
            .doesNotContain("listening on");
      } finally {
        second.destroyForcibly();
      }

      assertThat(first.isAlive()).as("the first host still runs").isTrue();
      first.destroy(); // SIGTERM
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).isZero();
    } finally {
      first.destroyForcibly();
    }
  }

  @Test
  void aHostWhosePortIsTaken_exitsAtStart_withoutRunningTheStoredWork() throws Exception {
    Path db = database();
    scheduleWithoutRunning(db, "job-1");
    List<HistoryEvent> before = query(db, s -> s.getHistory("job-1"));
    Path log = dir.resolve("host.log");

    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Process host = startHost(taken.getLocalPort(), log);
      try {
        assertThat(host.waitFor(60, TimeUnit.SECONDS)).as("the host exited").isTrue();
        assertThat(host.exitValue()).isEqualTo(1);
      } finally {
        host.destroyForcibly();
      }
    }

    assertThat(read(log))
        .contains("fermata: cannot start: Cannot listen on 127.0.0.1:")
        .doesNotContain("listening on");
    OrchestrationStatus status = query(db, s -> s.getInstance("job-1").orElseThrow().status());
    List<HistoryEvent> after = query(db, s -> s.getHistory("job-1"));
    assertThat(status).isEqualTo(OrchestrationStatus.PENDING);
    assertThat(after).isEqualTo(before);
    assertThat(dir.resolve("work-started")).doesNotExist();
  }

  /** Writes a new instance of "Slow" into the file with a client only: no worker runs it. */
  private static void scheduleWithoutRunning(Path db, String instanceId) {
    SqliteStore store = SqliteStore.open(db);
    store.start(InstantSource.system());
    try (Fermata engine =
        Fermata.builder().store(store).orchestrator("Slow", ctx -> null).build()) {
      engine.client().scheduleNew("Slow", null, FermataClient.StartOptions.withId(instanceId));
    }
  }

  private static <T> T query(Path db, Function<SqliteStore, T> query) {
    SqliteStore store = SqliteStore.open(db);
    store.start(InstantSource.system());
    try {
      return query.apply(store);
    } finally {
      store.close();
    }
  }
}
