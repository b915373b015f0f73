package dev.fermata.server;

import static dev.fermata.server.ProcessTestSupport.await;
import static dev.fermata.server.ProcessTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.fermata.postgres.support.TestPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three host processes on one PostgreSQL hub share a timer that fires every second: each occurrence
 * runs once across the cluster, none is skipped, and when one host is killed with {@code kill -9}
 * the others carry on without a gap.
 */
class ClusterTimerIT {
  private static TestPostgres database;
  @TempDir Path dir;

  @BeforeAll
  static void createDatabase() {
    database = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    database.close();
  }

  private Process startHost(String name) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin,
                "-Xmx192m",
                // Short-lived JVMs sharing 2 cores: one GC thread, no C2 compilations.
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dtest.dir=" + dir,
                "-cp",
                System.getProperty("java.class.path"),
                TimerHostMain.class.getName())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("FERMATA_HTTP_PORT", "0");
    env.put("FERMATA_GRPC_PORT", "0");
    env.put("FERMATA_DURABLETASK_HUBNAME", "ClusterTimer");
    env.put("FERMATA_DURABLETASK_STORAGEPROVIDER_TYPE", "postgres");
    env.put("FERMATA_DURABLETASK_STORAGEPROVIDER_CONNECTIONSTRING", database.jdbcUrl());
    env.put("FERMATA_DURABLETASK_STORAGEPROVIDER_USER", "postgres");
    // Short, so that the killed host's work is taken over quickly; long enough that a host slowed
    // down by a busy machine keeps its lease (a lost lease would run a function twice).
    env.put("FERMATA_DURABLETASK_STORAGEPROVIDER_LEASEDURATION", "00:00:04");
    env.put("FERMATA_DURABLETASK_STORAGEPROVIDER_MAXQUEUEPOLLINGINTERVAL", "00:00:00.200");
    return pb.start();
  }

  @Test
  void eachOccurrenceFiresOnceAcrossTheCluster_evenWhenAHostIsKilled() throws Exception {
    List<Process> hosts = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        hosts.add(startHost("host" + i));
      }
      for (int i = 0; i < 3; i++) {
        Path log = dir.resolve("host" + i + ".log");
        Process host = hosts.get(i);
        await(
            "host" + i + " to listen",
            () -> {
              if (!host.isAlive()) {
                fail("host ended: " + read(log));
              }
              return read(log).contains("listening on");
            });
      }
      await("four occurrences to fire", () -> fires().size() >= 4);

      // The victim is the host that ran the latest occurrence: it likely holds the next one.
      long victimPid = fires().lastEntry().getValue().get(0);
      Process victim = hosts.stream().filter(h -> h.pid() == victimPid).findFirst().orElseThrow();
      victim.destroyForcibly(); // SIGKILL
      assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(victim.exitValue()).as("exit code of a JVM killed by SIGKILL").isEqualTo(137);
      Instant killedAt = Instant.now();

      // Past the lease of the killed host, and a few more occurrences.
      await(
          "occurrences after the kill",
          () -> fires().lastKey().isAfter(killedAt.plus(Duration.ofSeconds(8))));
      Instant stopAt = Instant.now();
      List<Process> survivors = hosts.stream().filter(h -> h != victim).toList();
      for (Process host : survivors) {
        host.destroy(); // SIGTERM: a graceful stop
      }
      for (Process host : survivors) {
        assertThat(host.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(host.exitValue()).isZero();
      }

      TreeMap<Instant, List<Long>> fires = fires();
      System.out.printf(
          "ClusterTimerIT: killed %d; occurrences and their runners %s%n", victimPid, fires);
      // Every second from the first occurrence to shortly before the stop fired, except where all
      // hosts stalled past several occurrences: then, by design, only the latest fires, past due.
      Set<Instant> pastDue = pastDueFires();
      Instant expected = fires.firstKey();
      while (expected.isBefore(stopAt.minusSeconds(2))) {
        Instant missing = expected;
        if (!fires.containsKey(missing)) {
          Instant next = fires.higherKey(missing);
          assertThat(next != null && pastDue.contains(next))
              .as("%s did not fire, and no later occurrence fired past due for it", missing)
              .isTrue();
        }
        expected = expected.plusSeconds(1);
      }
      // Once each: a second run is allowed only where the killed host was running the function
      // when it died (a function, like an activity, runs again after a crash in the middle).
      fires.forEach(
          (occurrence, runners) -> {
            if (runners.size() > 1) {
              assertThat(runners)
                  .as("runners of %s", occurrence)
                  .hasSize(2)
                  .contains(victimPid)
                  .doesNotHaveDuplicates();
            }
          });
      assertThat(fires.values().stream().filter(r -> r.size() > 1).count())
          .as("occurrences run twice")
          .isLessThanOrEqualTo(1);
    } finally {
      for (Process host : hosts) {
        host.destroyForcibly();
      }
    }
  }

  /** Occurrence to the pids of the processes that ran it, from the file the hosts append to. */
  private TreeMap<Instant, List<Long>> fires() {
    TreeMap<Instant, List<Long>> out = new TreeMap<>();
    for (String line : read(dir.resolve("fires")).lines().toList()) {
      String[] parts = line.split(" ");
      out.computeIfAbsent(Instant.parse(parts[0]), k -> new ArrayList<>())
          .add(Long.parseLong(parts[1]));
    }
    return out;
  }

  /** Occurrences fired with {@code isPastDue}. */
  private Set<Instant> pastDueFires() {
    Set<Instant> out = new HashSet<>();
    for (String line : read(dir.resolve("fires")).lines().toList()) {
      String[] parts = line.split(" ");
      if (Boolean.parseBoolean(parts[2])) {
        out.add(Instant.parse(parts[0]));
      }
    }
    return out;
  }
}
