package dev.fermata.http;

import dev.fermata.spi.W3cTraceContext;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;

/** The W3C trace context ({@code traceparent}, {@code tracestate}) a request carries. */
final class TraceHeaders {
  private TraceHeaders() {}

  /** The request's trace as a context; the current one if it carries none (or a malformed one). */
  static Context extract(ApiRequest request) {
    Map<String, String> headers = new HashMap<>();
    for (String name : new String[] {"traceparent", "tracestate"}) {
      String value = request.header(name);
      if (value != null) {
        headers.put(name, value);
      }
    }
    return headers.isEmpty()
        ? Context.current()
        : W3cTraceContext.extract(Context.current(), headers);
  }
}
