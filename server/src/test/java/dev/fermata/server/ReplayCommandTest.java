package dev.fermata.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FermataClient;
import dev.fermata.history.HistoryEvent;
import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import dev.fermata.host.HostConfigLoader;
import dev.fermata.testsupport.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fermata replay}: the store's unfinished instances against the code, as a deploy gate. */
class ReplayCommandTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private Map<String, String> env;

  /** Calls {@code firstStep}, then waits for "Go". */
  private static FunctionModule flow(String firstStep) {
    return host ->
        host.orchestrator(
                "Flow",
                ctx -> {
                  ctx.callActivity(firstStep, null, String.class).await();
                  return ctx.waitForExternalEvent("Go", String.class).await();
                })
            .activity("Pack", ctx -> "packed")
            .activity("Weigh", ctx -> "weighed");
  }

  /** A store with "order-1" of Flow (first step Pack) and "other-1" of Elsewhere, both waiting. */
  @BeforeEach
  void storeWithInstancesInFlight() {
    env =
        Map.of(
            "FERMATA_DURABLETASK_STORAGEPROVIDER_PATH",
            dir.resolve("replay.db").toString(),
            "FERMATA_GRPC_PORT",
            "",
            "FERMATA_HTTP_PORT",
            "0");
    FermataHost.Builder builder =
        FermataHost.builder(HostConfigLoader.fromEnvironment(null, env))
            .orchestrator("Elsewhere", ctx -> ctx.waitForExternalEvent("Go", String.class).await());
    flow("Pack").register(builder);
    try (FermataHost host = builder.build().start()) {
      FermataClient client = host.fermata().client();
      client.scheduleNew("Flow", null, FermataClient.StartOptions.withId("order-1"));
      client.scheduleNew("Elsewhere", null, FermataClient.StartOptions.withId("other-1"));
      client.scheduleNew("Flow", null, FermataClient.StartOptions.withId("order-2"));
      client.terminate("order-2", "finished instances are not checked");
      client.waitForCompletion("order-2", Duration.ofSeconds(60));
      Poll.until(
          "order-1 waiting for Go after Pack",
          () ->
              client.getHistory("order-1").stream()
                  .anyMatch(HistoryEvent.TaskCompleted.class::isInstance));
    }
  }

  private int replay(FunctionModule code, String... args) {
    out.reset();
    err.reset();
    return Main.replay(
        List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        env,
        () -> List.of(code));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theSameCode_fitsEveryUnfinishedInstance() {
    assertThat(replay(flow("Pack"))).as(err.toString(StandardCharsets.UTF_8)).isZero();

    assertThat(out())
        .contains("ok       order-1 (Flow, ")
        .contains("skipped  other-1: no orchestrator 'Elsewhere' in this engine")
        .doesNotContain("order-2")
        .contains("2 unfinished instance(s): 1 fit the code, 0 do not, 1 not checked");
  }

  @Test
  void changedCode_isCaughtNamingTheStep_andExitsWithOne() {
    assertThat(replay(flow("Weigh"))).isEqualTo(1);

    assertThat(out())
        .contains("DIFFERS  order-1 (Flow): ")
        .contains("activity 'Pack'")
        .contains("activity 'Weigh'")
        .contains("2 unfinished instance(s): 0 fit the code, 1 do not, 1 not checked");
  }

  @Test
  void exportedHistories_areCheckedWithoutAnyStore() throws IOException {
    Path histories = dir.resolve("histories");
    assertThat(replay(flow("Pack"), "--export", histories.toString())).isZero();
    assertThat(out()).contains("2 unfinished instance(s) exported to");
    assertThat(histories.resolve("order-1.json")).isRegularFile();

    // Another machine: no store there, only the files and the new code.
    Path noStore = dir.resolve("elsewhere").resolve("never.db");
    env =
        Map.of(
            "FERMATA_DURABLETASK_STORAGEPROVIDER_PATH",
            noStore.toString(),
            "FERMATA_GRPC_PORT",
            "");
    assertThat(replay(flow("Weigh"), "--from", histories.toString())).isEqualTo(1);

    assertThat(out())
        .contains("DIFFERS  order-1 (Flow): ")
        .contains("activity 'Weigh'")
        .contains("skipped  other-1: no orchestrator 'Elsewhere' in this engine")
        .contains("2 history file(s): 0 fit the code, 1 do not, 1 not checked");
    assertThat(noStore.getParent()).doesNotExist();
    assertThat(replay(flow("Pack"), "--from", histories.toString())).isZero();
  }

  @Test
  void statusesSavedFromTheHttpApi_areChecked_andOtherFilesNamedAsErrors() throws Exception {
    Path histories = Files.createDirectories(dir.resolve("statuses"));
    FermataHost.Builder builder = FermataHost.builder(HostConfigLoader.fromEnvironment(null, env));
    flow("Pack").register(builder);
    try (FermataHost host = builder.build().start();
        HttpClient http = HttpClient.newHttpClient()) {
      String url =
          host.baseUrl()
              + "/runtime/webhooks/durabletask/instances/order-1"
              + "?showHistory=true&showHistoryOutput=true";
      HttpResponse<Path> saved =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofFile(histories.resolve("order-1.json")));
      assertThat(saved.statusCode()).isEqualTo(202);
    }
    Files.writeString(histories.resolve("notes.json"), "{\"owner\": \"ops\"}");

    assertThat(replay(flow("Weigh"), "--from", histories.toString())).isEqualTo(1);
    assertThat(out())
        .contains("DIFFERS  order-1 (Flow): ")
        .contains("activity 'Pack'")
        .contains("activity 'Weigh'")
        .contains("ERROR    notes.json: ")
        .contains("no history in it")
        .contains("2 history file(s): 0 fit the code, 2 do not, 0 not checked");

    Files.delete(histories.resolve("notes.json"));
    assertThat(replay(flow("Pack"), "--from", histories.toString())).isZero();
    assertThat(out()).contains("ok       order-1 (Flow, ");
  }

  @Test
  void exportAndFrom_needADirectory_andDoNotGoTogether() {
    assertThat(replay(flow("Pack"), "--from")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--from needs a directory");
    assertThat(replay(flow("Pack"), "--export", "a", "--from", "b")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("do not go together");
    assertThat(replay(flow("Pack"), "--from", dir.resolve("missing").toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not a directory");
  }
}
