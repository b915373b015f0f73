package dev.fermata.internal.host;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceAlreadyExistsException;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationContext;
import dev.fermata.RetryPolicy;
import dev.fermata.TaskFailedException;
import dev.fermata.host.NcrontabSchedule;
import dev.fermata.host.TimerFunction;
import dev.fermata.host.TimerInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs timer functions, each occurrence once even with several hosts on one store, as durable work:
 * nothing but the engine waits for the next occurrence, so it also passes in virtual time.
 *
 * <p>An occurrence is claimed ahead of time, by creating the timer's orchestration ({@code
 * fermata.TimerTrigger:{name}}) with the instance id {@code timer:{name}:{time}} and a scheduled
 * start at that time: the store refuses a second instance with an id that is pending or running, so
 * one claim wins. When the occurrence comes due, its orchestration first claims the next one (the
 * activity {@code fermata.TimerTrigger.claim:{name}}), then runs the function as the activity
 * {@code timer:{name}} (re-run after a crash, as every activity; a failure is not retried, as in
 * Azure Functions). So each occurrence claims its successor, and a claim that is pending shows when
 * the timer fires next.
 *
 * <p>A claim that comes due late (the hosts were down, or stalled) fires once, as the latest
 * occurrence already due, with {@code isPastDue}, however many were missed; its successor is the
 * first occurrence after that. At start, a host claims a timer's first occurrence if no claim is
 * pending or running (a new timer, or one whose last claim has finished).
 *
 * <p>Finished claims older than {@link #CLAIM_RETENTION} are purged (checked at most once per
 * {@link #PRUNE_INTERVAL} per trigger), so a timer that fires every second does not leave 86,400
 * instances a day behind; the latest claim is pending, so it is never among them.
 */
public final class TimerTriggers {
  /**
   * The orchestration that ran the occurrences claimed by earlier releases; each timer now has its
   * own ({@link #orchestratorName}).
   */
  public static final String ORCHESTRATOR = "fermata.TimerTrigger";

  /**
   * The prefix of every internal function of timers, which listings of the user's functions leave
   * out.
   */
  public static final String INTERNAL_PREFIX = ORCHESTRATOR;

  private static final Logger log = LoggerFactory.getLogger(TimerTriggers.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

  /** How long finished claims stay visible in instance lists. */
  public static final Duration CLAIM_RETENTION = Duration.ofDays(1);

  static final Duration PRUNE_INTERVAL = Duration.ofHours(1);

  /**
   * A claim that fails (the store unreachable for a while) is tried again, for about 25 minutes:
   * the timer's chain of occurrences must not end on a passing fault.
   */
  private static final RetryPolicy CLAIM_RETRY =
      RetryPolicy.builder(12, Duration.ofSeconds(1))
          .backoffCoefficient(2)
          .maxRetryInterval(Duration.ofMinutes(5))
          .build();

  /** A timer function with its parsed schedule. */
  public record Trigger(String name, NcrontabSchedule schedule, TimerFunction function) {
    public Trigger {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "A timer function name must be 1 to 100 letters, digits, '_', '.' or '-', got '"
                + name
                + "'");
      }
    }
  }

  /**
   * The orchestration's input, and the function activity's.
   *
   * @param holdUntil set only in claims made by releases before claims were chained, whose
   *     orchestration stayed running until the next occurrence; null now
   */
  public record Occurrence(
      String trigger, Instant scheduledTime, boolean isPastDue, Instant holdUntil) {}

  private final Map<String, Trigger> triggers = new LinkedHashMap<>();
  private final ZoneId zone;
  private final AtomicLong ran = new AtomicLong();
  private final Map<String, Instant> lastPruned = new ConcurrentHashMap<>();
  private volatile FermataClient client;
  private volatile InstantSource clock;

  public TimerTriggers(List<Trigger> triggers, ZoneId zone) {
    triggers.forEach(t -> this.triggers.put(t.name(), t));
    this.zone = zone;
  }

  public static String activityName(String trigger) {
    return "timer:" + trigger;
  }

  /**
   * The orchestration that runs the occurrences of {@code trigger}: one per timer, so that on a
   * shared store only hosts that have the timer function claim its occurrences.
   */
  static String orchestratorName(String trigger) {
    return ORCHESTRATOR + ":" + trigger;
  }

  /** The activity with which an occurrence of {@code trigger} claims the next one. */
  static String claimActivityName(String trigger) {
    return ORCHESTRATOR + ".claim:" + trigger;
  }

  static String instanceId(String trigger, Instant occurrence) {
    return "timer:" + trigger + ":" + occurrence;
  }

  /** Adds the orchestration, the claiming activity and one activity per trigger to the engine. */
  public void register(Fermata.Builder builder) {
    if (triggers.isEmpty()) {
      return;
    }
    builder.orchestrator(ORCHESTRATOR, Occurrence.class, this::runOccurrence);
    for (Trigger t : triggers.values()) {
      builder.orchestrator(orchestratorName(t.name()), Occurrence.class, this::runOccurrence);
      builder.activity(
          claimActivityName(t.name()),
          Occurrence.class,
          (ctx, o) -> {
            claim(t, o.scheduledTime(), false);
            return null;
          });
    }
    for (Trigger t : triggers.values()) {
      builder.activity(
          activityName(t.name()),
          Occurrence.class,
          (ctx, o) -> {
            ran.incrementAndGet();
            t.function().run(new TimerInfo(t.name(), o.scheduledTime(), o.isPastDue()), client);
            return null;
          });
    }
  }

  private Object runOccurrence(OrchestrationContext ctx, Occurrence o) {
    if (o.holdUntil() != null) {
      return runHeldOccurrence(ctx, o);
    }
    Trigger t = triggers.get(o.trigger());
    if (t == null) { // only hosts with the timer register its orchestration; kept for safety
      return "no timer function '" + o.trigger() + "' any more";
    }
    Instant now = ctx.currentTime();
    Instant occurrence = o.scheduledTime();
    Instant next = t.schedule().next(occurrence, zone);
    while (next != null && !next.isAfter(now)) { // late: fire once, as the latest one due
      occurrence = next;
      next = t.schedule().next(occurrence, zone);
    }
    if (next != null) {
      ctx.callActivity(
              claimActivityName(t.name()),
              new Occurrence(t.name(), next, false, null),
              CLAIM_RETRY,
              Void.class)
          .await();
    }
    boolean pastDue = o.isPastDue() || !occurrence.equals(o.scheduledTime());
    // As in Azure Functions, a failed run is not retried: the instance fails with it.
    ctx.callActivity(
            activityName(t.name()), new Occurrence(t.name(), occurrence, pastDue, null), Void.class)
        .await();
    return "fired";
  }

  /**
   * An occurrence claimed by an earlier release: it runs the function, then stays running until the
   * next occurrence, which {@link #start} claims.
   */
  private static Object runHeldOccurrence(OrchestrationContext ctx, Occurrence o) {
    TaskFailedException failure = null;
    try {
      ctx.callActivity(activityName(o.trigger()), o, Void.class).await();
    } catch (TaskFailedException e) {
      failure = e;
    }
    if (o.holdUntil().isAfter(ctx.currentTime())) {
      ctx.createTimer(o.holdUntil()).await();
    }
    if (failure != null) {
      throw failure;
    }
    return "fired";
  }

  /**
   * Gives the functions and the claims the engine's client and clock; before the engine starts, as
   * claims already due run as soon as it does.
   */
  public void attach(Fermata engine) {
    this.client = engine.client();
    this.clock = engine.clock();
  }

  /**
   * Claims each timer's next occurrence unless a claim is pending or running already. A timer whose
   * last claim has finished and whose next occurrence has passed (the hosts were down) fires once
   * at once, past due.
   */
  public void claimNextOccurrences() {
    for (Trigger t : triggers.values()) {
      try {
        claimFirst(t);
      } catch (RuntimeException e) {
        // The host must start; the timer waits for the next start (or a running claim's chain).
        log.error("Timer {} could not claim its next occurrence", t.name(), e);
      }
    }
  }

  private void claimFirst(Trigger t) {
    Instant now = clock.instant();
    InstanceState last = lastClaim(t.name());
    if (last == null) { // a new timer: nothing was missed
      claimIfAny(t, t.schedule().next(now, zone), false);
      return;
    }
    Instant lastTime = occurrenceOf(t.name(), last.getInstanceId());
    Occurrence input = last.readInputAs(Occurrence.class);
    boolean chained = input == null || input.holdUntil() == null;
    if (!last.isFinished() && chained) {
      return; // pending or running: it claims its successor itself
    }
    Instant missed = t.schedule().next(lastTime, zone);
    if (missed != null && missed.isBefore(now)) {
      log.info("Timer {} missed {} while stopped; running it once now", t.name(), missed);
    }
    claimIfAny(t, missed, missed != null && missed.isBefore(now));
  }

  private void claimIfAny(Trigger t, Instant occurrence, boolean pastDue) {
    if (occurrence != null) {
      claim(t, occurrence, pastDue);
    }
  }

  /** Creates the claim of {@code occurrence}, due then, unless one exists. */
  private void claim(Trigger t, Instant occurrence, boolean pastDue) {
    String id = instanceId(t.name(), occurrence);
    if (client.getInstance(id, false).isPresent()) {
      return; // claimed already (this claim's activity ran before, or another host won)
    }
    try {
      client.scheduleNew(
          orchestratorName(t.name()),
          new Occurrence(t.name(), occurrence, pastDue, null),
          new StartOptions(id, occurrence));
      log.debug("Timer {} claimed {}", t.name(), occurrence);
    } catch (InstanceAlreadyExistsException e) {
      return; // another host won this occurrence
    }
    pruneOldClaims(t);
  }

  /** Purges this trigger's finished claims older than the retention, at most once an interval. */
  private void pruneOldClaims(Trigger t) {
    Instant now = clock.instant();
    Instant last = lastPruned.get(t.name());
    if (last != null && Duration.between(last, now).compareTo(PRUNE_INTERVAL) < 0) {
      return;
    }
    lastPruned.put(t.name(), now);
    try {
      int purged =
          client.purge(
              InstanceQuery.all()
                  .withInstanceIdPrefix("timer:" + t.name() + ":")
                  .withCreatedRange(null, now.minus(CLAIM_RETENTION))); // keeps unfinished ones
      if (purged > 0) {
        log.debug("Timer {}: purged {} finished claims", t.name(), purged);
      }
    } catch (RuntimeException e) {
      // Housekeeping only: the next prune tries again.
      log.warn("Timer {} could not purge old claims", t.name(), e);
    }
  }

  /** The claim with the latest occurrence of any host, from the instance ids in the store. */
  private InstanceState lastClaim(String trigger) {
    String prefix = "timer:" + trigger + ":";
    InstanceState last = null;
    Instant lastTime = null;
    // Without inputs: a timer that fires every second keeps a day of claims; only the last one's
    // input is read, below.
    InstanceQuery q =
        InstanceQuery.all()
            .withInstanceIdPrefix(prefix)
            .withIncludeInputs(false)
            .withPageSize(InstanceQuery.MAX_PAGE_SIZE);
    while (true) {
      FermataClient.QueryResult page = client.query(q);
      for (InstanceState s : page.instances()) {
        Instant t = occurrenceOf(trigger, s.getInstanceId());
        if (t != null && (lastTime == null || t.isAfter(lastTime))) {
          last = s;
          lastTime = t;
        }
      }
      if (page.continuationToken() == null) {
        return last == null ? null : client.getInstance(last.getInstanceId(), true).orElse(null);
      }
      q = q.withContinuationToken(page.continuationToken());
    }
  }

  /** The occurrence in a claim's instance id, or null for an id someone else made. */
  private static Instant occurrenceOf(String trigger, String instanceId) {
    try {
      return Instant.parse(instanceId.substring(("timer:" + trigger + ":").length()));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** How many occurrences this host ran since it started. */
  public long ranCount() {
    return ran.get();
  }
}
