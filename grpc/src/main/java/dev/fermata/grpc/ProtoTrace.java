package dev.fermata.grpc;

import dev.fermata.grpc.protocol.OrchestratorService.TraceContext;
import dev.fermata.spi.W3cTraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;

/** W3C trace context in the contract's {@code TraceContext} messages, both ways. */
final class ProtoTrace {
  private ProtoTrace() {}

  /** The context a caller's trace context names; the current one if it names none. */
  static Context context(TraceContext trace) {
    Map<String, String> headers = new HashMap<>();
    headers.put("traceparent", trace.getTraceParent());
    if (trace.hasTraceState()) {
      headers.put("tracestate", trace.getTraceState().getValue());
    }
    return W3cTraceContext.extract(Context.current(), headers);
  }

  /** The current span's trace context, for work handed to a worker; null outside any trace. */
  static TraceContext current() {
    Map<String, String> headers = W3cTraceContext.headers(Context.current());
    if (headers.isEmpty()) {
      return null;
    }
    TraceContext.Builder trace =
        TraceContext.newBuilder()
            .setTraceParent(headers.get("traceparent"))
            .setSpanID(Span.current().getSpanContext().getSpanId());
    ProtoValues.setString(headers.get("tracestate"), trace::setTraceState);
    return trace.build();
  }
}
