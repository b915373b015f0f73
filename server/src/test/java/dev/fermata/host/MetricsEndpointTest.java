package dev.fermata.host;

import static dev.fermata.host.HostTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.OrchestrationStatus;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host serves the engine's and the JVM's metrics at /metrics, for Prometheus. */
class MetricsEndpointTest {
  @TempDir Path dir;

  @Test
  void metrics_showWhatRan_inPrometheusText_behindTheKey() throws Exception {
    HostConfig config = HostTestSupport.config(dir.resolve("m.db")).withManagementKey("k3y");
    try (FermataHost host =
        FermataHost.builder(config)
            .engine(
                b ->
                    b.orchestrator(
                            "Greet", ctx -> ctx.callActivity("Hello", "Ana", String.class).await())
                        .activity("Hello", ctx -> "Hello, " + ctx.getInput(String.class)))
            .build()
            .start()) {
      String id = host.fermata().client().scheduleNew("Greet", null);
      assertThat(host.fermata().client().waitForCompletion(id, Duration.ofSeconds(60)).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);

      assertThat(get(host.baseUrl() + "/metrics").statusCode()).isEqualTo(401);
      // The end is recorded once the last checkpoint has committed, which the client may see first.
      HostTestSupport.await(
          "the instance's end in the metrics",
          () -> scrape(host).contains("fermata_instances_ended_total{"));
      HttpResponse<String> scrape = get(host.baseUrl() + "/metrics?code=k3y");

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      assertThat(scrape.body().lines())
          .anyMatch(
              l ->
                  l.startsWith("fermata_instances_ended_total{")
                      && l.contains("name=\"Greet\"")
                      && l.contains("status=\"Completed\"")
                      && l.endsWith(" 1.0"))
          .anyMatch(
              l ->
                  l.startsWith("fermata_activities_seconds_count{")
                      && l.contains("name=\"Hello\"")
                      && l.contains("outcome=\"completed\"")
                      && l.endsWith(" 1"))
          .anyMatch(l -> l.startsWith("fermata_episodes_seconds_count{") && l.contains("Greet"))
          // Latencies as histograms, for percentiles across hosts.
          .anyMatch(
              l ->
                  l.startsWith("fermata_activities_seconds_bucket{")
                      && l.contains("name=\"Hello\"")
                      && l.contains("le=\"+Inf\"")
                      && l.endsWith(" 1"))
          .anyMatch(l -> l.startsWith("fermata_episodes_seconds_bucket{"))
          .anyMatch(l -> l.startsWith("fermata_store_checkpoints_seconds_bucket{"))
          .anyMatch(l -> l.startsWith("fermata_instances_started_total{") && l.contains("Greet"))
          // Each commit of the SQLite writer: the start, the episodes' checkpoints, the result.
          .anyMatch(
              l ->
                  l.startsWith("fermata_store_commit_batch_writes_count ")
                      && Double.parseDouble(l.substring(l.indexOf(' ') + 1)) >= 3)
          .anyMatch(l -> l.startsWith("jvm_memory_used_bytes{"))
          // Read from the SQLite file: nothing waits once the instance is done.
          .anyMatch(l -> l.equals("fermata_backlog_tasks 0.0"))
          .anyMatch(l -> l.startsWith("fermata_backlog_oldest_age_seconds "));
    }
  }

  private static String scrape(FermataHost host) {
    try {
      return get(host.baseUrl() + "/metrics?code=k3y").body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
