package dev.fermata.internal;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.W3cTraceContext;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.Map;

/**
 * The engine's spans, into the OpenTelemetry the application gives (none: the API's no-op, which
 * still carries a trace the caller is in).
 *
 * <p>A trace spans processes and episodes without any span held open between them: a client's start
 * records a short {@code create_orchestration} span and stores its W3C {@code traceparent} with the
 * instance; everything the instance does later is a child of it, on whatever worker runs it. Each
 * activity execution is a span, current while the activity's code runs (so that what it calls joins
 * the trace); each durable timer that fires is a span from its creation to its due time, and each
 * external event delivered a span from its raise to the episode that took it; the orchestration's
 * own span, from its creation to its end, is recorded once, after the checkpoint that ended it
 * committed. Sub-orchestrations take their parent's trace. Replay records nothing: spans come from
 * work done, never from history read.
 */
public final class EngineTracing {
  private static final String SCOPE = "dev.fermata";

  static final AttributeKey<String> TYPE = AttributeKey.stringKey("durabletask.type");
  static final AttributeKey<String> NAME = AttributeKey.stringKey("durabletask.task.name");
  static final AttributeKey<String> INSTANCE_ID =
      AttributeKey.stringKey("durabletask.task.instance_id");
  static final AttributeKey<Long> TASK_ID = AttributeKey.longKey("durabletask.task.task_id");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("durabletask.runtime_status");
  static final AttributeKey<String> FIRE_AT = AttributeKey.stringKey("durabletask.fire_at");

  private static final String VERSION_00 = "00-";
  private static final int TRACE_PARENT_LENGTH = 55;

  /** Tracing off: no spans, though a caller's trace is still carried. */
  public static final EngineTracing NONE = new EngineTracing(OpenTelemetry.noop());

  private final Tracer tracer;

  public EngineTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(SCOPE);
  }

  /**
   * Records the start of an orchestration by a client, under the caller's current span if any;
   * returns the {@code traceparent} to store with the instance, or null outside any trace.
   */
  public String orchestrationCreated(String name, String instanceId) {
    Span span =
        tracer
            .spanBuilder("create_orchestration:" + name)
            .setSpanKind(SpanKind.PRODUCER)
            .setAttribute(TYPE, "orchestration")
            .setAttribute(NAME, name)
            .setAttribute(INSTANCE_ID, instanceId)
            .startSpan();
    try {
      return traceParent(span.getSpanContext());
    } finally {
      span.end();
    }
  }

  /**
   * An activity execution's span, started as a child of the orchestration's trace; the caller makes
   * it current while the activity runs and ends it with {@link #activityEnded}.
   */
  public Span activityStarted(ActivityTask task) {
    return tracer
        .spanBuilder("activity:" + task.name())
        .setParent(context(task.traceParent()))
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(TYPE, "activity")
        .setAttribute(NAME, task.name())
        .setAttribute(INSTANCE_ID, task.instanceId())
        .setAttribute(TASK_ID, (long) task.taskId())
        .startSpan();
  }

  /** Ends an activity's span, as failed with {@code failure} unless that is null. */
  public static void activityEnded(Span span, String failure) {
    if (failure != null) {
      span.setStatus(StatusCode.ERROR, failure);
    }
    span.end();
  }

  /**
   * After a checkpoint committed: records a span for each external event the episode delivered,
   * from when it was raised until the episode took it, and the orchestration's span if this
   * checkpoint ended it ({@code before} is the row the episode started from, {@code checkpoint}
   * what it wrote).
   */
  public void episodeCommitted(InstanceRecord before, Checkpoint checkpoint) {
    InstanceRecord after = checkpoint.instance();
    for (HistoryEvent event : checkpoint.newEvents()) {
      switch (event) {
        case HistoryEvent.EventRaised raised -> eventDelivered(after, raised);
        case HistoryEvent.TimerFired fired when fired.createdAt() != null ->
            timerFired(after, fired);
        default -> {}
      }
    }
    if (!after.status().isTerminal() || before.status().isTerminal()) {
      return;
    }
    Instant start =
        after.scheduledStartAt() != null && after.scheduledStartAt().isAfter(after.createdAt())
            ? after.scheduledStartAt()
            : after.createdAt();
    Instant end = after.completedAt() != null ? after.completedAt() : after.lastUpdatedAt();
    Span span =
        tracer
            .spanBuilder("orchestration:" + after.name())
            .setParent(context(after.traceParent()))
            .setSpanKind(SpanKind.SERVER)
            .setStartTimestamp(start)
            .setAttribute(TYPE, "orchestration")
            .setAttribute(NAME, after.name())
            .setAttribute(INSTANCE_ID, after.instanceId())
            .setAttribute(STATUS, after.status().displayName())
            .startSpan();
    if (after.status() == OrchestrationStatus.FAILED && after.failure() != null) {
      span.setStatus(StatusCode.ERROR, after.failure().errorMessage());
    }
    span.end(end.isBefore(start) ? start : end);
  }

  private void timerFired(InstanceRecord instance, HistoryEvent.TimerFired fired) {
    tracer
        .spanBuilder("orchestration_timer")
        .setParent(context(instance.traceParent()))
        .setSpanKind(SpanKind.INTERNAL)
        .setStartTimestamp(fired.createdAt())
        .setAttribute(TYPE, "timer")
        .setAttribute(INSTANCE_ID, instance.instanceId())
        .setAttribute(FIRE_AT, fired.fireAt().toString())
        .startSpan()
        .end(fired.fireAt().isBefore(fired.createdAt()) ? fired.createdAt() : fired.fireAt());
  }

  private void eventDelivered(InstanceRecord instance, HistoryEvent.EventRaised raised) {
    Instant delivered = instance.lastUpdatedAt();
    tracer
        .spanBuilder("orchestration_event:" + raised.name())
        .setParent(context(instance.traceParent()))
        .setSpanKind(SpanKind.CONSUMER)
        .setStartTimestamp(raised.timestamp())
        .setAttribute(TYPE, "event")
        .setAttribute(NAME, raised.name())
        .setAttribute(INSTANCE_ID, instance.instanceId())
        .startSpan()
        .end(delivered.isBefore(raised.timestamp()) ? raised.timestamp() : delivered);
  }

  /** The {@code traceparent} of a span, or null if it is not a valid one. */
  static String traceParent(SpanContext span) {
    if (!span.isValid()) {
      return null;
    }
    // Written directly, as a propagator would, without a carrier map: one per start.
    return VERSION_00
        + span.getTraceId()
        + '-'
        + span.getSpanId()
        + '-'
        + span.getTraceFlags().asHex();
  }

  /** The context a stored {@code traceparent} names; the root context for null. */
  static Context context(String traceParent) {
    if (traceParent == null) {
      return Context.root();
    }
    SpanContext parent = parseVersion00(traceParent);
    if (parent != null) {
      return Context.root().with(Span.wrap(parent));
    }
    // Another version, or malformed: the propagator's rules decide.
    return W3cTraceContext.extract(Context.root(), Map.of("traceparent", traceParent));
  }

  /**
   * The span a version-00 {@code traceparent} names (the only kind the engine writes, read once per
   * span it records), or null for anything else.
   */
  private static SpanContext parseVersion00(String traceParent) {
    if (traceParent.length() != TRACE_PARENT_LENGTH
        || !traceParent.startsWith(VERSION_00)
        || traceParent.charAt(35) != '-'
        || traceParent.charAt(52) != '-'
        || !isLowerHex(traceParent.charAt(53))
        || !isLowerHex(traceParent.charAt(54))) {
      return null;
    }
    String traceId = traceParent.substring(3, 35);
    String spanId = traceParent.substring(36, 52);
    if (!TraceId.isValid(traceId) || !SpanId.isValid(spanId)) {
      return null;
    }
    return SpanContext.createFromRemoteParent(
        traceId, spanId, TraceFlags.fromHex(traceParent, 53), TraceState.getDefault());
  }

  private static boolean isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
}
