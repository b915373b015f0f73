package dev.fermata.internal.host;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceAlreadyExistsException;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationContext;
import dev.fermata.TaskFailedException;
import dev.fermata.host.NcrontabSchedule;
import dev.fermata.host.TimerFunction;
import dev.fermata.host.TimerInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs timer functions, each occurrence once even with several hosts on one store.
 *
 * <p>An occurrence is claimed by starting the orchestration {@value #ORCHESTRATOR} with the
 * instance id {@code timer:{name}:{time}}: the store refuses a second instance with an id that is
 * running, so one host wins. The orchestration runs the function as the activity {@code
 * timer:{name}} (re-run after a crash, as every activity) and then stays running until the next
 * occurrence, so that no late host can claim the same occurrence again once it has finished.
 *
 * <p>At start, the last claimed occurrence is looked up in the store; if the one after it is
 * already past, it fires once, late, with {@code isPastDue}, however many were missed.
 *
 * <p>Finished claims older than {@link #CLAIM_RETENTION} are purged (checked at most once per
 * {@link #PRUNE_INTERVAL} per trigger), so a timer that fires every second does not leave 86,400
 * instances a day behind; the latest claim is still running, so it is never among them.
 */
public final class TimerTriggers implements AutoCloseable {
  /** The orchestration that claims and runs one occurrence. */
  public static final String ORCHESTRATOR = "fermata.TimerTrigger";

  private static final Logger log = LoggerFactory.getLogger(TimerTriggers.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

  /** How long finished claims stay visible in instance lists. */
  public static final Duration CLAIM_RETENTION = Duration.ofDays(1);

  static final Duration PRUNE_INTERVAL = Duration.ofHours(1);

  /** The longest sleep between clock checks, so a test clock that jumps is noticed. */
  private static final Duration MAX_NAP = Duration.ofMillis(500);

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

  /** The orchestration's input. */
  public record Occurrence(
      String trigger, Instant scheduledTime, boolean isPastDue, Instant holdUntil) {}

  private final List<Trigger> triggers;
  private final ZoneId zone;
  private final InstantSource clock;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong claimed = new AtomicLong();
  private final Map<String, Instant> lastPruned = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  private FermataClient client;

  public TimerTriggers(List<Trigger> triggers, ZoneId zone, InstantSource clock) {
    this.triggers = List.copyOf(triggers);
    this.zone = zone;
    this.clock = clock;
  }

  public static String activityName(String trigger) {
    return "timer:" + trigger;
  }

  static String instanceId(String trigger, Instant occurrence) {
    return "timer:" + trigger + ":" + occurrence;
  }

  /** Adds the claiming orchestration and one activity per trigger to the engine. */
  public void register(Fermata.Builder builder) {
    if (triggers.isEmpty()) {
      return;
    }
    builder.orchestrator(ORCHESTRATOR, Occurrence.class, TimerTriggers::runOccurrence);
    for (Trigger t : triggers) {
      builder.activity(
          activityName(t.name()),
          Occurrence.class,
          (ctx, o) -> {
            t.function().run(new TimerInfo(t.name(), o.scheduledTime(), o.isPastDue()), client);
            return null;
          });
    }
  }

  private static Object runOccurrence(OrchestrationContext ctx, Occurrence o) {
    TaskFailedException failure = null;
    try {
      ctx.callActivity(activityName(o.trigger()), o, Void.class).await();
    } catch (TaskFailedException e) {
      failure = e; // as Azure Functions: a failed run is not retried
    }
    if (o.holdUntil() != null && o.holdUntil().isAfter(ctx.currentTime())) {
      ctx.createTimer(o.holdUntil()).await();
    }
    if (failure != null) {
      throw failure;
    }
    return "fired";
  }

  /**
   * Fires what was missed while no host ran, then starts one scheduling thread per trigger. When
   * this returns, each trigger waits for its first occurrence after the clock's current time.
   */
  public void start(FermataClient fermataClient) {
    this.client = fermataClient;
    for (Trigger t : triggers) {
      Instant first = catchUp(t);
      threads.add(Thread.ofVirtual().name("timer-" + t.name()).start(() -> schedule(t, first)));
    }
  }

  /** Claims the one missed occurrence, if any; returns the first occurrence to wait for. */
  private Instant catchUp(Trigger t) {
    Instant now = clock.instant();
    Instant last = lastClaimed(t.name());
    if (last != null) {
      Instant missed = t.schedule().next(last, zone);
      if (missed != null && missed.isBefore(now)) {
        log.info("Timer {} missed {} while stopped; running it once now", t.name(), missed);
        claim(t, missed, true);
      }
    }
    return t.schedule().next(now, zone);
  }

  private void schedule(Trigger t, Instant first) {
    Instant target = first;
    while (!stopped && target != null) {
      try {
        Duration wait = Duration.between(clock.instant(), target);
        if (wait.isPositive()) {
          Thread.sleep(wait.compareTo(MAX_NAP) < 0 ? wait : MAX_NAP);
          continue;
        }
        target = fireDue(t, target);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (stopped) {
          return;
        }
        // A store hiccup must not end the schedule: try the same occurrence again shortly.
        log.error("Timer {} could not check {}; retrying", t.name(), target, e);
        try {
          Thread.sleep(MAX_NAP);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * Fires {@code target}, which is due, and returns the next occurrence. After a stall (a suspended
   * machine, a long pause) several occurrences may be due: the latest fires once, past due, as
   * after downtime; those another host claimed meanwhile were not missed.
   */
  private Instant fireDue(Trigger t, Instant target) {
    Instant now = clock.instant();
    while (isClaimed(t, target)) {
      Instant after = t.schedule().next(target, zone);
      if (after == null || after.isAfter(now)) {
        return after; // nothing left to fire
      }
      target = after;
    }
    Instant latest = target;
    Instant following = t.schedule().next(latest, zone);
    while (following != null && !following.isAfter(now)) {
      latest = following;
      following = t.schedule().next(latest, zone);
    }
    claim(t, latest, !latest.equals(target));
    return following;
  }

  private boolean isClaimed(Trigger t, Instant occurrence) {
    return client.getInstance(instanceId(t.name(), occurrence), false).isPresent();
  }

  private void claim(Trigger t, Instant occurrence, boolean pastDue) {
    String id = instanceId(t.name(), occurrence);
    try {
      if (client.getInstance(id, false).isPresent()) {
        return; // another host claimed it
      }
      Instant holdUntil = t.schedule().next(occurrence, zone);
      client.scheduleNew(
          ORCHESTRATOR,
          new Occurrence(t.name(), occurrence, pastDue, holdUntil),
          StartOptions.withId(id));
      claimed.incrementAndGet();
      log.debug("Timer {} fires for {}", t.name(), occurrence);
      pruneOldClaims(t);
    } catch (InstanceAlreadyExistsException e) {
      // another host won this occurrence
    } catch (RuntimeException e) {
      if (stopped) {
        return;
      }
      log.error("Timer {} could not claim {}", t.name(), occurrence, e);
    }
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

  /** The latest occurrence any host claimed, from the instance ids in the store. */
  private Instant lastClaimed(String trigger) {
    String prefix = "timer:" + trigger + ":";
    Instant last = null;
    InstanceQuery q =
        InstanceQuery.all()
            .withInstanceIdPrefix(prefix)
            .withIncludeInputs(false)
            .withPageSize(InstanceQuery.MAX_PAGE_SIZE);
    while (true) {
      FermataClient.QueryResult page = client.query(q);
      for (InstanceState s : page.instances()) {
        try {
          Instant t = Instant.parse(s.getInstanceId().substring(prefix.length()));
          if (last == null || t.isAfter(last)) {
            last = t;
          }
        } catch (RuntimeException e) {
          // an id someone else made with this prefix; not ours
        }
      }
      if (page.continuationToken() == null) {
        return last;
      }
      q = q.withContinuationToken(page.continuationToken());
    }
  }

  /** How many occurrences this host claimed (and so ran) since it started. */
  public long claimedCount() {
    return claimed.get();
  }

  /** Stops scheduling; occurrences already claimed finish in the engine. */
  @Override
  public void close() {
    stopped = true;
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
