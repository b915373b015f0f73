package dev.fermata.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.postgres.support.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs every workload in-process at a tiny scale and checks the figures it prints. */
class BenchSmokeTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * 20 orchestrations, 50 fan-out, 10 events, 50 steps, 30 and 60 waiting, 100 signals over 10
   * entities and 50 to one, 40 in flight at the kill, 300 listed, 200 ms idle window.
   */
  private static final Params TINY =
      new Params(
          20,
          5,
          4,
          8,
          50,
          10,
          50,
          30,
          60,
          100,
          10,
          50,
          40,
          300,
          Duration.ofMillis(200),
          0.25,
          Duration.ZERO);

  private static TestPostgres database;

  @BeforeAll
  static void createDatabase() {
    database = TestPostgres.createDatabase();
    System.setProperty(PostgresBench.URL, database.jdbcUrl());
  }

  @AfterAll
  static void dropDatabase() {
    System.clearProperty(PostgresBench.URL);
    database.close();
  }

  static Stream<Arguments> cases() {
    return Workloads.ALL.stream()
        .flatMap(w -> Workloads.systemsFor(w).stream().map(s -> Arguments.of(w, s)));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  @Timeout(60)
  void producesWellFormedPositiveFigures(String workload, BenchSystem system) throws Exception {
    List<Figure> figures = new ArrayList<>();
    new Workloads(system, TINY, figures::add).run(workload);

    assertThat(figures).isNotEmpty();
    for (Figure f : figures) {
      JsonNode json = MAPPER.readTree(f.toJson());
      assertThat(json.get("system").asText()).isEqualTo(system.label());
      assertThat(json.get("workload").asText()).isEqualTo(workload);
      assertThat(json.get("metric").asText()).isNotBlank();
      assertThat(json.get("unit").asText()).isNotBlank();
      assertThat(json.get("value").isNumber()).as(f.toJson()).isTrue();
      if (f.metric().startsWith("loss_")) { // a difference between two noisy rounds
        assertThat(json.get("value").asDouble()).as(f.toJson()).isLessThan(100);
      } else if (f.metric().startsWith("diag_") || f.metric().startsWith("idle_cpu")) {
        // may be zero
        assertThat(json.get("value").asDouble()).as(f.toJson()).isNotNegative();
      } else {
        assertThat(json.get("value").asDouble()).as(f.toJson()).isPositive();
      }
    }
    List<String> metrics = figures.stream().map(Figure::metric).toList();
    switch (workload) {
      case "W1SP" ->
          assertThat(metrics)
              .contains(
                  "orchestrations_per_s",
                  "process_cpu_per_orchestration",
                  "sdk_workers_process_cpu_per_orchestration");
      case "W1", "W1S" ->
          assertThat(metrics)
              .contains(
                  "orchestrations_per_s",
                  "activities_per_s",
                  "latency_p50",
                  "latency_p99",
                  "solo_latency_p50",
                  "solo_latency_p99");
      case "W1C" ->
          assertThat(metrics)
              .contains("orchestrations_per_s", "activities_per_s", "latency_p50", "latency_p99");
      case "W1SR" ->
          assertThat(metrics)
              .contains(
                  "own_code_orchestrations_per_s",
                  "sidecar_orchestrations_per_s",
                  "share_of_means",
                  "share_mean_of_pairs_standard_error",
                  "sdk_workers_process_cpu_per_orchestration");
      case "W1O" -> {
        assertThat(metrics)
            .contains(
                "off_orchestrations_per_s",
                "on_orchestrations_per_s",
                "loss_of_means",
                "loss_median_of_pairs");
        // Five spans each (start, orchestration, three activities). An orchestration's own span
        // may end after its completion was seen: a round's last few are counted short, and the
        // warm-up's last few can land in the count, so a little either side of five.
        assertThat(value(figures, "on_spans_per_orchestration")).isBetween(4.5, 5.5);
      }
      case "W2" -> assertThat(metrics).contains("seconds", "activities_per_s");
      case "W3" ->
          assertThat(metrics).contains("raise_to_completion_p50", "raise_to_completion_p99");
      case "W6" -> {
        assertThat(metrics).contains("steps_per_s", "step_time_p50_at_10", "step_time_p50_at_50");
        if (system.isPersistent()) {
          assertThat(metrics).contains("resume_raise_to_completion", "restart_open_time");
        }
      }
      case "W4", "W4T" ->
          assertThat(metrics)
              .contains(
                  "start_seconds", "rss", "live_heap_after_gc", "idle_cpu_percent_of_one_core");
      case "W5" -> assertThat(metrics).contains("spread_operations_per_s", "hot_operations_per_s");
      case "W4M" -> assertThat(metrics).contains("start_seconds", "disk_used", "rss");
      case "D1" ->
          assertThat(metrics)
              .contains("first_page_p50", "first_page_p99", "counts_p50", "rare_status_page_p50");
      case "W7" ->
          assertThat(metrics)
              .contains(
                  "restart_open_time", "time_until_all_progressing", "time_until_all_completed");
      default -> throw new AssertionError(workload);
    }
  }

  private static double value(List<Figure> figures, String metric) {
    return figures.stream()
        .filter(f -> f.metric().equals(metric))
        .findFirst()
        .orElseThrow()
        .value();
  }
}
