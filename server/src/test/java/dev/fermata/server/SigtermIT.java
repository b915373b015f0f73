package dev.fermata.server;

import static dev.fermata.server.ProcessTestSupport.await;
import static dev.fermata.server.ProcessTestSupport.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts a real host process, sends it SIGTERM while an activity runs, and checks that it lets the
 * activity finish, exits 0, and that a restarted host finishes the orchestration.
 */
class SigtermIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private Process startHost(int port, Path log) throws IOException {
    return startHost(port, log, "00:01:00");
  }

  private Process startHost(int port, Path log, String gracePeriod) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin,
                "--enable-native-access=ALL-UNNAMED",
                "-Dtest.dir=" + dir,
                "-cp",
                System.getProperty("java.class.path"),
                SlowHostMain.class.getName())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("FERMATA_HTTP_PORT", String.valueOf(port));
    pb.environment().put("FERMATA_GRPC_PORT", "0");
    pb.environment().put("FERMATA_SHUTDOWNGRACEPERIOD", gracePeriod);
    return pb.start();
  }

  @Test
  void sigterm_letsTheRunningActivityFinish_exitsZero_andARestartResumes() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = dir.resolve("host.log");
    String base = "http://127.0.0.1:" + port;
    Process host = startHost(port, log);
    try {
      await("the host to listen", () -> Files.exists(log) && read(log).contains("listening on"));
      HttpResponse<String> started = post(base + "/api/orchestrators/Slow/job-1");
      assertThat(started.statusCode()).isEqualTo(202);
      await("the activity to start", () -> Files.exists(dir.resolve("work-started")));

      host.destroy(); // SIGTERM
      await("the host to begin stopping", () -> read(log).contains("waiting up to"));
      assertThat(host.isAlive()).isTrue(); // still waiting for the activity
      Files.createFile(dir.resolve("release"));
      assertThat(host.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(host.exitValue()).isZero();
      assertThat(Files.readAllLines(dir.resolve("work-finished"))).containsExactly("run 0");
    } finally {
      host.destroyForcibly();
    }

    Process again = startHost(port, log);
    try {
      await(
          "the restarted host to finish job-1",
          () -> {
            try {
              HttpResponse<String> r =
                  HTTP.send(
                      HttpRequest.newBuilder(
                              URI.create(base + "/runtime/webhooks/durabletask/instances/job-1"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              return r.statusCode() == 200;
            } catch (IOException e) {
              return false; // not listening yet
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
          });
      JsonNode status = get(base + "/runtime/webhooks/durabletask/instances/job-1");
      assertThat(status.get("runtimeStatus").asText()).isEqualTo("Completed");
      assertThat(status.get("output").asText()).isEqualTo("work+after");
      // The activity that finished before the stop is not run again.
      assertThat(Files.readAllLines(dir.resolve("work-started"))).containsExactly("run 0");
      assertThat(Files.readAllLines(dir.resolve("after"))).hasSize(1);
      // The host's log line from the activity ends with the instance it ran for.
      assertThat(read(log).lines())
          .filteredOn(l -> l.contains("INFO After - after ran"))
          .singleElement(InstanceOfAssertFactories.STRING)
          .contains("instanceId=job-1")
          .contains("activityName=After")
          .endsWith("}");
      again.destroy();
      assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(again.exitValue()).isZero();
    } finally {
      again.destroyForcibly();
    }
  }

  @Test
  void invalidConfiguration_stopsStartUp_namingTheSetting() throws Exception {
    Path log = dir.resolve("bad.log");
    Process host = startHost(7071, log, "thirty seconds");
    assertThat(host.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(host.exitValue()).isEqualTo(2);
    assertThat(read(log))
        .contains("fermata: cannot start:")
        .contains("shutdownGracePeriod")
        .contains("hh:mm:ss")
        .doesNotContain("listening on");
  }

  private static HttpResponse<String> post(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(String url) throws Exception {
    return JSON.readTree(
        HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }
}
