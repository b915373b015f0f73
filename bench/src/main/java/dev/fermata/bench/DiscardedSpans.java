package dev.fermata.bench;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenTelemetry SDK as the host configures one (spans batched on their way out) whose exporter
 * counts the spans and drops them: what recording costs the engine, without a collector's share.
 */
final class DiscardedSpans implements SpanExporter {
  static final AtomicLong EXPORTED = new AtomicLong();

  /** The providers made so far, so that {@link #exportedAfterFlush} can flush them all. */
  private static final List<SdkTracerProvider> PROVIDERS = new CopyOnWriteArrayList<>();

  static OpenTelemetry openTelemetry() {
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .addSpanProcessor(BatchSpanProcessor.builder(new DiscardedSpans()).build())
            .build();
    PROVIDERS.add(provider);
    return OpenTelemetrySdk.builder().setTracerProvider(provider).build();
  }

  /** The spans exported so far, once every span ended before this call has been. */
  static long exportedAfterFlush() {
    for (SdkTracerProvider provider : PROVIDERS) {
      provider.forceFlush().join(10, TimeUnit.SECONDS);
    }
    return EXPORTED.get();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    EXPORTED.addAndGet(spans.size());
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
