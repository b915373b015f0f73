package dev.fermata.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.OrchestrationStatus;
import dev.fermata.engine.Counter;
import dev.fermata.entities.EntityId;
import dev.fermata.host.FermataHost;
import dev.fermata.host.HostConfig;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.storetest.FailingCheckpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fermata instances ...} against a running host, over real HTTP. */
class CliTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String url, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--url");
    all.add(url);
    return runWithEnvironment(all, Map.of("FERMATA_KEY", "s3cret"));
  }

  /** Runs the CLI with exactly these words and environment, capturing what it prints. */
  private int runWithEnvironment(List<String> words, Map<String, String> env) {
    out.reset();
    err.reset();
    return new Cli(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .run(words, env);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void listShowRaiseTerminatePurge_againstARunningHost() {
    HostConfig config =
        HostConfig.defaults()
            .withGrpcPort(null)
            .withPort(0)
            .withManagementKey("s3cret")
            .withStorage("sqlite", Map.of("path", dir.resolve("cli.db").toString()));
    try (FermataHost host =
        FermataHost.builder(config)
            .orchestrator(
                "Approve", ctx -> ctx.waitForExternalEvent("Decision", String.class).await())
            .build()
            .start()) {
      String url = host.baseUrl();
      FermataClient client = host.fermata().client();
      client.scheduleNew("Approve", null, FermataClient.StartOptions.withId("order-1"));
      client.scheduleNew("Approve", null, FermataClient.StartOptions.withId("order-2"));
      client.waitForStart("order-1", Duration.ofSeconds(60));

      assertThat(run(url, "list")).isZero();
      assertThat(out())
          .startsWith("INSTANCE")
          .contains("order-1")
          .contains("order-2")
          .contains("Approve")
          .contains("2 instance(s)");
      assertThat(run(url, "list", "--prefix=order-1")).isZero();
      assertThat(out()).contains("order-1").doesNotContain("order-2");
      assertThat(run(url, "list", "--prefix", "nothing-")).isZero();
      assertThat(out()).contains("0 instance(s)").doesNotContain("INSTANCE");

      assertThat(run(url, "raise", "order-1", "Decision", "\"yes\"")).isZero();
      assertThat(out()).contains("Raised event Decision on order-1");
      assertThat(
              client
                  .waitForCompletion("order-1", Duration.ofSeconds(60))
                  .readOutputAs(String.class))
          .isEqualTo("yes");

      assertThat(run(url, "show", "order-1", "--history")).isZero();
      assertThat(out()).contains("\"runtimeStatus\" : \"Completed\"").contains("\"historyEvents\"");

      assertThat(run(url, "terminate", "order-2", "not needed")).isZero();
      assertThat(client.waitForCompletion("order-2", Duration.ofSeconds(60)).getStatus())
          .isEqualTo(OrchestrationStatus.TERMINATED);

      assertThat(run(url, "purge", "order-1")).isZero();
      assertThat(out()).contains("Purged order-1");
      assertThat(client.getInstance("order-1")).isEmpty();

      // Errors: a readable message and a non-zero exit.
      assertThat(run(url, "show", "nope")).isEqualTo(1);
      assertThat(err()).contains("404");
      assertThat(run(url, "raise", "order-2", "Decision", "{not json")).isEqualTo(2);
      assertThat(err()).contains("must be JSON");
      assertThat(run(url, "frobnicate")).isEqualTo(2);
      assertThat(err()).contains("unknown command 'frobnicate'").contains("usage:");
      int noKey = runWithEnvironment(List.of("list", "--url", url), Map.of());
      assertThat(noKey).isEqualTo(1);
      assertThat(err())
          .contains("401")
          .contains("pass --key KEY or set FERMATA_KEY")
          .doesNotContain("query");
      assertThat(out()).as("no table header before the error").isEmpty();
      int wrongKey = runWithEnvironment(List.of("list", "--url=" + url, "--key=wrong"), Map.of());
      assertThat(wrongKey).isEqualTo(1);
      assertThat(err()).contains("401").contains("refused the management key");
      assertThat(out()).isEmpty();
    }
  }

  @Test
  void deadLettersAreListedAndReDriven_againstARunningHost() throws Exception {
    Path db = dir.resolve("dead.db");
    EntityId counter = new EntityId(Counter.NAME, "k");
    // An engine that cannot save the counter's batches gives up on its signal: a dead letter.
    try (Fermata broken =
        Fermata.builder()
            .store(FailingCheckpoints.forInstance(SqliteStore.open(db), counter.toString()))
            .maxDeliveryAttempts(1)
            .entity(Counter.NAME, Counter.FUNCTION)
            .build()
            .start()) {
      broken.client().signalEntity(counter, "add", 7);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (broken.client().listDeadLetters(null, 0, 10).isEmpty()) {
        assertThat(System.nanoTime()).as("a dead letter within 60 s").isLessThan(deadline);
        Thread.sleep(20);
      }
    }
    HostConfig config =
        HostConfig.defaults()
            .withGrpcPort(null)
            .withPort(0)
            .withManagementKey("s3cret")
            .withStorage("sqlite", Map.of("path", db.toString()));
    try (FermataHost host =
        FermataHost.builder(config)
            .engine(b -> b.entity(Counter.NAME, Counter.FUNCTION))
            .build()
            .start()) {
      String url = host.baseUrl();
      FermataClient client = host.fermata().client();
      long id = client.listDeadLetters(null, 0, 10).get(0).id();

      assertThat(run(url, "deadletters", "--instance", counter.toString())).isZero();
      assertThat(out())
          .contains(counter.toString())
          .contains("message")
          .contains("EntityOperationRequested add")
          .contains("1 dead letter(s)");

      assertThat(run(url, "redrive", Long.toString(id))).isZero();
      assertThat(out()).contains("Re-drove dead letter " + id);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!client.getEntity(counter, Integer.class).map(e -> e.state() == 7).orElse(false)) {
        assertThat(System.nanoTime()).as("the counter has the re-driven 7").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(run(url, "deadletters")).isZero();
      assertThat(out()).contains("0 dead letter(s)").doesNotContain("DEAD-LETTERED");

      assertThat(run(url, "redrive", Long.toString(id))).isEqualTo(1);
      assertThat(err()).contains("404").contains("No dead letter with id " + id);
      assertThat(run(url, "redrive")).isEqualTo(2);
      assertThat(err()).contains("expected: instances redrive DEAD_LETTER_ID");
    }
  }

  @Test
  void noHostRunning_isAClearError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(run("http://127.0.0.1:" + port, "list")).isEqualTo(1);
    assertThat(err()).contains("no Fermata host answers at http://127.0.0.1:" + port);
    assertThat(out()).as("no table header before the error").isEmpty();
  }

  private int main(String... args) {
    out.reset();
    err.reset();
    return Main.run(
        List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of(),
        () -> {
          throw new AssertionError("the host must not start");
        });
  }

  @Test
  void helpForEveryCommand_printsTheUsage_andStartsNothing() {
    for (List<String> help :
        List.of(
            List.of("--help"),
            List.of("-h"),
            List.of("help"),
            List.of("serve", "--help"),
            List.of("run", "--config", "x.json", "--help"))) {
      assertThat(main(help.toArray(String[]::new))).as(help.toString()).isZero();
      assertThat(out()).contains("usage: fermata [serve|run] [--config FILE]");
    }
    for (List<String> help :
        List.of(
            List.of("instances", "--help"),
            List.of("instances", "help"),
            List.of("instances", "list", "--help"))) {
      assertThat(main(help.toArray(String[]::new))).as(help.toString()).isZero();
      assertThat(out()).contains("fermata instances list").contains("--key KEY");
    }
  }

  @Test
  void unknownOptionsAndArguments_areRefusedWithTheUsage() {
    for (String[] bad :
        new String[][] {
          {"--bogus"}, {"serve", "--port", "80"}, {"run", "extra"}, {"serve", "--config"}
        }) {
      assertThat(main(bad)).as(List.of(bad).toString()).isEqualTo(2);
      assertThat(err()).contains("usage: fermata [serve|run]");
    }
    assertThat(main("--bogus")).isEqualTo(2);
    assertThat(err()).contains("unknown option --bogus");
    assertThat(main("run", "extra")).isEqualTo(2);
    assertThat(err()).contains("unexpected argument 'extra'");
    assertThat(main("serve", "--config")).isEqualTo(2);
    assertThat(err()).contains("--config needs a file path");
    assertThat(main("instances", "list", "--bogus")).isEqualTo(2);
    assertThat(err()).contains("unknown option --bogus").contains("fermata instances list");
  }

  @Test
  void configFile_isTakenInBothForms() {
    // A missing file stops the start before anything runs: proof the option was read.
    Path missing = dir.resolve("missing.json");
    assertThat(main("serve", "--config", missing.toString())).isEqualTo(2);
    assertThat(err()).contains("missing.json does not exist");
    assertThat(main("--config=" + missing)).isEqualTo(2);
    assertThat(err()).contains("missing.json does not exist");
  }

  @Test
  void theLauncherScript_printsItsUsageWithoutBuilding() throws Exception {
    Path script = Path.of("..", "fermata").toAbsolutePath().normalize();
    for (String help : List.of("--help", "help", "-h")) {
      Process p = new ProcessBuilder(script.toString(), help).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(help).isZero();
      assertThat(text)
          .contains("./fermata [run|serve] [--config FILE]")
          .contains("./fermata instances --help")
          .contains("./fermata test")
          .doesNotContain("building");
    }
    Process p =
        new ProcessBuilder(script.toString(), "frobnicate").redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isEqualTo(2);
    assertThat(text).contains("unknown command 'frobnicate'").contains("usage:");
  }

  @Test
  void aPasswordInTheUrl_isNeverPrinted() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(run("http://ops:hunter2@127.0.0.1:" + port, "list")).isEqualTo(1);
    assertThat(err()).contains("http://ops:***@127.0.0.1:" + port).doesNotContain("hunter2");

    assertThat(run("http://ops:hunter2@bad host", "list")).isEqualTo(2);
    assertThat(err()).contains("--url must be like").doesNotContain("hunter2");
  }
}
