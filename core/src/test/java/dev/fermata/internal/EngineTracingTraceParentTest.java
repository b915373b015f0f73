package dev.fermata.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.spi.W3cTraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The engine writes and reads stored {@code traceparent}s directly, not through a propagator's
 * carrier; what it writes and what it reads must be what the W3C propagator would.
 */
class EngineTracingTraceParentTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  @Test
  void writesWhatThePropagatorWrites() {
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 1_000; i++) {
      SpanContext span =
          SpanContext.create(
              hex(random, 32),
              hex(random, 16),
              random.nextBoolean() ? TraceFlags.getSampled() : TraceFlags.getDefault(),
              TraceState.getDefault());
      Context context = Context.root().with(Span.wrap(span));

      assertThat(EngineTracing.traceParent(span))
          .isEqualTo(W3cTraceContext.headers(context).get("traceparent"));
    }
    assertThat(EngineTracing.traceParent(SpanContext.getInvalid())).isNull();
  }

  @Test
  void readsWhatThePropagatorReads() {
    List<String> stored =
        List.of(
            "00-" + TRACE + "-" + SPAN + "-01",
            "00-" + TRACE + "-" + SPAN + "-00",
            "00-" + TRACE + "-" + SPAN + "-03",
            // Malformed: upper case, zero ids, bad flags, wrong separators or length.
            "00-" + TRACE.toUpperCase() + "-" + SPAN + "-01",
            "00-" + "0".repeat(32) + "-" + SPAN + "-01",
            "00-" + TRACE + "-" + "0".repeat(16) + "-01",
            "00-" + TRACE + "-" + SPAN + "-0g",
            "00-" + TRACE + "_" + SPAN + "-01",
            "00-" + TRACE + "-" + SPAN + "-01-",
            "00-" + TRACE + "-" + SPAN,
            "ff-" + TRACE + "-" + SPAN + "-01",
            "",
            // A later version, which only the propagator's rules accept.
            "01-" + TRACE + "-" + SPAN + "-01-later-fields");
    for (String traceParent : stored) {
      SpanContext direct = Span.fromContext(EngineTracing.context(traceParent)).getSpanContext();
      SpanContext propagated =
          Span.fromContext(
                  W3cTraceContext.extract(Context.root(), Map.of("traceparent", traceParent)))
              .getSpanContext();

      assertThat(direct).as(traceParent).isEqualTo(propagated);
      assertThat(direct.isRemote()).as(traceParent).isEqualTo(propagated.isRemote());
    }
    assertThat(Span.fromContext(EngineTracing.context("00-" + TRACE + "-" + SPAN + "-01")))
        .satisfies(span -> assertThat(span.getSpanContext().isValid()).isTrue());
    assertThat(EngineTracing.context(null)).isSameAs(Context.root());
  }

  private static String hex(SplittableRandom random, int length) {
    StringBuilder hex = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      hex.append(Character.forDigit(random.nextInt(16), 16));
    }
    return hex.toString();
  }
}
