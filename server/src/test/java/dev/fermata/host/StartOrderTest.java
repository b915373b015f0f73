package dev.fermata.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.FermataException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.sqlite.SqliteStore;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host takes its store and its port before anything runs: when either cannot be had, start fails
 * with a clear message and no orchestration runs.
 */
class StartOrderTest {
  @TempDir Path dir;
  private final AtomicInteger runs = new AtomicInteger();

  private FermataHost host(HostConfig config) {
    return FermataHost.builder(config)
        .orchestrator(
            "Flow",
            ctx -> {
              runs.incrementAndGet();
              return "done";
            })
        .build();
  }

  @Test
  void aPortThatIsTaken_failsTheStart_beforeAnyWorkRuns_andFreesTheFile() throws Exception {
    Path db = dir.resolve("h.db");
    scheduleWithoutRunning(db, "job-1");
    List<HistoryEvent> before = read(db, s -> s.getHistory("job-1"));

    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      FermataHost host = host(HostTestSupport.config(db).withPort(port));
      assertThatThrownBy(host::start)
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("Cannot listen on 127.0.0.1:" + port);
      host.close();
    }

    assertThat(runs).hasValue(0);
    // The file was released, and the stored work is as it was.
    OrchestrationStatus status = read(db, s -> s.getInstance("job-1").orElseThrow().status());
    List<HistoryEvent> after = read(db, s -> s.getHistory("job-1"));
    assertThat(status).isEqualTo(OrchestrationStatus.PENDING);
    assertThat(after).isEqualTo(before);
  }

  @Test
  void aSecondHostOnTheSameSqliteFile_isRefused_namingTheFileAndTheHolder() {
    Path db = dir.resolve("h.db");
    try (FermataHost first = host(HostTestSupport.config(db)).start()) {
      FermataHost second = host(HostTestSupport.config(db));
      assertThatThrownBy(second::start)
          .isInstanceOf(FermataException.class)
          .hasMessageContaining(db.toAbsolutePath().toString())
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
      second.close();

      // The first host is unharmed.
      FermataClient client = first.fermata().client();
      client.scheduleNew("Flow", null, FermataClient.StartOptions.withId("after"));
      assertThat(client.waitForCompletion("after", Duration.ofSeconds(60)).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);
    }
  }

  /** Writes a new instance into the file with a client only: no worker runs it. */
  static void scheduleWithoutRunning(Path db, String instanceId) {
    SqliteStore store = SqliteStore.open(db);
    store.start(InstantSource.system());
    try (Fermata engine =
        Fermata.builder().store(store).orchestrator("Flow", ctx -> null).build()) {
      engine.client().scheduleNew("Flow", null, FermataClient.StartOptions.withId(instanceId));
    }
  }

  static <T> T read(Path db, java.util.function.Function<SqliteStore, T> query) {
    SqliteStore store = SqliteStore.open(db);
    store.start(InstantSource.system());
    try {
      return query.apply(store);
    } finally {
      store.close();
    }
  }
}
