package dev.fermata.sqlite.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.OrchestrationStatus;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.testsupport.Poll;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces on real SQLite files: one trace from the caller's span through the orchestration, its
 * activities and its children, across an engine restart, with no span twice however often the
 * history is replayed.
 */
class SqliteTracingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AttributeKey<String> INSTANCE_ID =
      AttributeKey.stringKey("durabletask.task.instance_id");

  @TempDir Path dir;

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  private final OpenTelemetry otel =
      OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
  private final Tracer callers = otel.getTracer("test");

  /** The trace each activity run saw as current, by its input. */
  private final Map<String, SpanContext> seenByActivity = new ConcurrentHashMap<>();

  @AfterEach
  void closeTracing() {
    tracerProvider.close();
  }

  private Fermata engine(OpenTelemetry tracing, UnaryOperator<Fermata.Builder> options) {
    return options
        .apply(
            Fermata.builder()
                .store(SqliteStore.open(dir.resolve("fermata.db")))
                .openTelemetry(tracing)
                .orchestrator(
                    "Order",
                    ctx -> {
                      String a = ctx.callActivity("Step", "a", String.class).await();
                      ctx.waitForExternalEvent("go", String.class).await();
                      ctx.createTimer(Duration.ofMillis(50)).await();
                      String child =
                          ctx.callSubOrchestrator(
                                  "Ship", "b", ctx.getInstanceId() + ":ship", String.class)
                              .await();
                      return a + child;
                    })
                .orchestrator("Ship", ctx -> ctx.callActivity("Step", "b", String.class).await())
                .orchestrator(
                    "Broken", ctx -> ctx.callActivity("Fails", null, String.class).await())
                .activity(
                    "Step",
                    String.class,
                    (ctx, input) -> {
                      seenByActivity.put(input, Span.current().getSpanContext());
                      return input;
                    })
                .activity(
                    "Fails",
                    ctx -> {
                      throw new IllegalStateException("out of stock");
                    }))
        .build()
        .start();
  }

  @Test
  void oneTrace_fromTheCallerThroughActivitiesAndChildren_acrossARestart() {
    Span caller = callers.spanBuilder("checkout").startSpan();
    String id;
    try (Fermata first = engine(otel, b -> b.instanceCacheSize(0))) {
      try (Scope ignored = caller.makeCurrent()) {
        id = first.client().scheduleNew("Order", null);
      }
      Poll.until("the first step done", WAIT, () -> seenByActivity.containsKey("a"));
      Poll.until(
          "waiting for the event",
          WAIT,
          () -> first.client().getHistory(id).size() > 3); // started, task answered, ...
    } finally {
      caller.end();
    }

    try (Fermata second = engine(otel, b -> b.instanceCacheSize(0))) {
      second.client().raiseEvent(id, "go", "now");
      assertThat(second.client().waitForCompletion(id, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.COMPLETED);
      awaitSpan("orchestration:Order");
    }

    String trace = caller.getSpanContext().getTraceId();
    List<SpanData> all = spans.getFinishedSpanItems();
    assertThat(all).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(trace));
    SpanData create = only(all, "create_orchestration:Order");
    assertThat(create.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
    assertThat(create.getKind()).isEqualTo(SpanKind.PRODUCER);
    SpanData order = only(all, "orchestration:Order");
    assertThat(order.getParentSpanId()).isEqualTo(create.getSpanId());
    assertThat(order.getAttributes().get(INSTANCE_ID)).isEqualTo(id);
    assertThat(order.getEndEpochNanos()).isGreaterThan(order.getStartEpochNanos());
    SpanData ship = only(all, "orchestration:Ship");
    assertThat(ship.getParentSpanId()).isEqualTo(create.getSpanId());
    List<SpanData> steps = named(all, "activity:Step");
    assertThat(steps)
        .as("one span per activity run, none from the replays of every episode")
        .hasSize(2)
        .allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(create.getSpanId()));
    assertThat(all)
        .extracting(SpanData::getName)
        .containsExactlyInAnyOrder(
            "checkout",
            "create_orchestration:Order",
            "orchestration:Order",
            "orchestration:Ship",
            "activity:Step",
            "activity:Step",
            "orchestration_event:go",
            "orchestration_timer");
    SpanData timer = only(all, "orchestration_timer");
    assertThat(timer.getParentSpanId()).isEqualTo(create.getSpanId());
    assertThat(timer.getEndEpochNanos() - timer.getStartEpochNanos())
        .as("from the timer's creation to its due time")
        .isEqualTo(Duration.ofMillis(50).toNanos());
    SpanData event = only(all, "orchestration_event:go");
    assertThat(event.getParentSpanId()).isEqualTo(create.getSpanId());
    assertThat(event.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(event.getEndEpochNanos())
        .as("from the raise until the episode that took it")
        .isGreaterThanOrEqualTo(event.getStartEpochNanos());
    assertThat(seenByActivity.values())
        .as("the activity's code runs inside its span")
        .allSatisfy(c -> assertThat(c.getTraceId()).isEqualTo(trace))
        .extracting(SpanContext::getSpanId)
        .containsExactlyInAnyOrderElementsOf(steps.stream().map(SpanData::getSpanId).toList());
  }

  @Test
  void failures_markTheirSpans() {
    try (Fermata engine = engine(otel, b -> b)) {
      String id = engine.client().scheduleNew("Broken", null);
      assertThat(engine.client().waitForCompletion(id, WAIT).getStatus())
          .isEqualTo(OrchestrationStatus.FAILED);
      awaitSpan("orchestration:Broken");
    }

    List<SpanData> all = spans.getFinishedSpanItems();
    SpanData activity = only(all, "activity:Fails");
    assertThat(activity.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(activity.getStatus().getDescription()).contains("out of stock");
    SpanData orchestration = only(all, "orchestration:Broken");
    assertThat(orchestration.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(
            orchestration.getAttributes().get(AttributeKey.stringKey("durabletask.runtime_status")))
        .isEqualTo("Failed");
    assertThat(activity.getTraceId())
        .as("started outside any trace: the start begins one")
        .isEqualTo(orchestration.getTraceId());
  }

  @Test
  void withoutTracing_theCallersTraceStillReachesTheActivities() {
    Span caller = callers.spanBuilder("checkout").startSpan();
    try (Fermata engine = engine(OpenTelemetry.noop(), b -> b)) {
      String id;
      try (Scope ignored = caller.makeCurrent()) {
        id = engine.client().scheduleNew("Order", null);
      }
      Poll.until("the first step done", WAIT, () -> seenByActivity.containsKey("a"));
      engine.client().raiseEvent(id, "go", "now");
      engine.client().waitForCompletion(id, WAIT);
    } finally {
      caller.end();
    }

    assertThat(seenByActivity.get("a").getTraceId())
        .isEqualTo(caller.getSpanContext().getTraceId());
    assertThat(seenByActivity.get("b").getTraceId())
        .as("through the sub-orchestration too")
        .isEqualTo(caller.getSpanContext().getTraceId());
    assertThat(spans.getFinishedSpanItems())
        .as("only the caller's own span: the engine records none")
        .extracting(SpanData::getName)
        .containsExactly("checkout");
  }

  private void awaitSpan(String name) {
    // Recorded after the checkpoint that ended the instance commits, which a waiter may hear of
    // first.
    Poll.until(
        name + " recorded", WAIT, () -> !named(spans.getFinishedSpanItems(), name).isEmpty());
  }

  private static List<SpanData> named(List<SpanData> all, String name) {
    return all.stream().filter(s -> s.getName().equals(name)).toList();
  }

  private static SpanData only(List<SpanData> all, String name) {
    List<SpanData> found = named(all, name);
    assertThat(found).as(name).hasSize(1);
    return found.getFirst();
  }
}
