package dev.fermata.spi;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trace as W3C Trace Context headers ({@code traceparent}, {@code tracestate}): how the engine
 * stores an instance's trace, and how transports (HTTP, the sidecar protocol) carry one in and out.
 */
public final class W3cTraceContext {
  private W3cTraceContext() {}

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<Map<String, String>> MAP =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return List.copyOf(carrier.keySet());
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  /** The headers of the context's span; empty if it has none. */
  public static Map<String, String> headers(Context context) {
    if (!Span.fromContext(context).getSpanContext().isValid()) {
      return Map.of();
    }
    Map<String, String> headers = new HashMap<>();
    W3C.inject(context, headers, Map::put);
    return headers;
  }

  /**
   * {@code base} with the span the headers name as its span; {@code base} itself if they name none,
   * or a malformed one.
   */
  public static Context extract(Context base, Map<String, String> headers) {
    return W3C.extract(base, headers, MAP);
  }
}
