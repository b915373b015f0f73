package dev.fermata.testing;

import dev.fermata.Activity;
import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.InstanceNotFoundException;
import dev.fermata.InstanceState;
import dev.fermata.NonDeterminismException;
import dev.fermata.Orchestrator;
import dev.fermata.ReplayVerdict;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntitySnapshot;
import dev.fermata.history.RecordedHistory;
import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.VirtualTimeDispatch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The real engine, on the in-memory store (or SQLite) and a {@link VirtualClock}, for tests of
 * orchestrations.
 *
 * <p>Virtual time moves only while the test waits through this environment ({@link
 * #waitForCompletion}, {@link #advance}), and only when the engine has nothing to do now: then it
 * skips to the next durable timer, retry backoff, scheduled start or {@linkplain #raiseEventAt
 * scheduled event}. A workflow that waits thirty days completes in milliseconds, and a timer can
 * never overtake an activity that is still running. Between such calls time stands still, so a test
 * can start an instance and raise its events before any timer could fire.
 *
 * <pre>{@code
 * try (var env = FermataTestEnvironment.builder()
 *     .functions(b -> b.orchestrator("Remind", ctx -> {
 *           ctx.createTimer(Duration.ofDays(30)).await();
 *           return ctx.callActivity("SendReminder", null, String.class).await();
 *         }))
 *     .replaceActivity("SendReminder", ctx -> "sent")
 *     .start()) {
 *   String id = env.client().scheduleNew("Remind", null);
 *   assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"sent\"");
 *   assertThat(env.callsTo("SendReminder")).hasSize(1);
 * }
 * }</pre>
 */
public final class FermataTestEnvironment implements AutoCloseable {
  /** How long, in real time, a wait may take by default before the test is failed. */
  public static final Duration DEFAULT_WALL_LIMIT = Duration.ofSeconds(30);

  private final Fermata engine;
  private final VirtualClock clock;
  private final TimeKeeper time;
  private final Map<String, List<ActivityCall>> calls;
  private final boolean ownsEngine;

  private FermataTestEnvironment(Fermata engine, VirtualClock clock, Duration wallLimit) {
    this.engine = engine;
    this.clock = clock;
    this.time = new TimeKeeper((VirtualTimeDispatch) engine.store(), clock, wallLimit);
    this.calls = Map.of();
    this.ownsEngine = false;
  }

  private FermataTestEnvironment(Builder b) {
    this.ownsEngine = true;
    this.clock = new VirtualClock(b.startAt);
    DurableStore store = b.store != null ? b.store : new InMemoryStore();
    this.time = new TimeKeeper((VirtualTimeDispatch) store, clock, b.wallLimit);
    Map<String, List<ActivityCall>> recorded = new LinkedHashMap<>();
    Fermata.Builder engineBuilder =
        Fermata.builder().store(store).clock(clock).shutdownGracePeriod(Duration.ofSeconds(1));
    for (UnaryOperator<Fermata.Builder> functions : b.functions) {
      engineBuilder = functions.apply(engineBuilder);
    }
    for (Map.Entry<String, Activity> standIn : b.activities.entrySet()) {
      List<ActivityCall> list = new CopyOnWriteArrayList<>();
      recorded.put(key(standIn.getKey()), list);
      engineBuilder.replaceActivity(standIn.getKey(), recording(standIn.getValue(), list));
    }
    b.orchestrators.forEach(engineBuilder::replaceOrchestrator);
    this.calls = Map.copyOf(recorded);
    this.engine = engineBuilder.build().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Drives an engine built elsewhere in virtual time: one a {@code FermataHost} runs, say, with its
   * timer functions, HTTP API and configuration, on the in-memory store or SQLite and on {@code
   * clock} (given to the host or engine builder as its clock). Closing the environment leaves the
   * engine running: its owner closes it. Stand-ins are not available this way.
   *
   * @throws IllegalArgumentException if the engine's clock is not {@code clock}, or its store
   *     cannot be driven by virtual time
   */
  public static FermataTestEnvironment attach(Fermata engine, VirtualClock clock) {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(clock, "clock");
    if (engine.clock() != clock) {
      throw new IllegalArgumentException(
          "The engine does not run on this virtual clock: give the same VirtualClock to its"
              + " builder (Fermata.Builder.clock, FermataHost.Builder.clock)");
    }
    Builder.requireVirtualTime(engine.store());
    return new FermataTestEnvironment(engine, clock, DEFAULT_WALL_LIMIT);
  }

  public FermataClient client() {
    return engine.client();
  }

  /** The engine under test. */
  public Fermata engine() {
    return engine;
  }

  /** The current virtual time. */
  public Instant now() {
    return clock.instant();
  }

  /**
   * Waits for the instance to finish (completed, failed, terminated), skipping virtual time to each
   * thing due while the engine is idle, and returns its state with input and output.
   *
   * @throws IllegalStateException if the instance waits for something nothing scheduled will bring
   *     (an external event, a signal, a resume), or the engine stays busy for longer than the
   *     wall-clock limit
   * @throws InstanceNotFoundException if there is no such instance
   */
  public InstanceState waitForCompletion(String instanceId) {
    long deadline = time.deadline();
    Supplier<String> what = () -> "waiting for instance '" + instanceId + "'";
    while (true) {
      InstanceState state = state(instanceId);
      if (state.getStatus().isTerminal()) {
        return state;
      }
      if (!time.step(deadline, what)) {
        state = state(instanceId); // it may have finished just before the engine fell idle
        if (state.getStatus().isTerminal()) {
          return state;
        }
        throw new IllegalStateException(
            "Instance '"
                + instanceId
                + "' is "
                + state.getStatus().displayName()
                + " and waits for something no timer will bring (an external event, an entity"
                + " signal, a resume): raise it before waiting, or schedule it with raiseEventAt."
                + " Virtual time is "
                + clock.instant());
      }
    }
  }

  /**
   * Moves virtual time forward by {@code duration}, letting the engine run everything that falls
   * due on the way, in order, and returns once it has nothing to do at the new time.
   */
  public void advance(Duration duration) {
    time.advance(Objects.requireNonNull(duration, "duration"));
  }

  /** Raises an event on the instance when virtual time reaches {@code at} (at once if it has). */
  public void raiseEventAt(Instant at, String instanceId, String eventName, Object data) {
    runAt(at, () -> client().raiseEvent(instanceId, eventName, data));
  }

  /**
   * Runs {@code action} (a callback from outside, say) when virtual time reaches {@code at}, on the
   * thread that waits through this environment at that moment; at once if the time has come.
   */
  public void runAt(Instant at, Runnable action) {
    time.schedule(Objects.requireNonNull(at, "at"), Objects.requireNonNull(action, "action"));
  }

  /** Raises an event on the instance {@code after} from the current virtual time. */
  public void raiseEventAfter(Duration after, String instanceId, String eventName, Object data) {
    raiseEventAt(now().plus(after), instanceId, eventName, data);
  }

  /**
   * The calls the stand-in for activity {@code name} received so far, in order.
   *
   * @throws IllegalArgumentException if no stand-in was given for that name
   */
  public List<ActivityCall> callsTo(String activityName) {
    List<ActivityCall> list = calls.get(key(activityName));
    if (list == null) {
      throw new IllegalArgumentException(
          "Activity '"
              + activityName
              + "' has no stand-in, so its calls are not recorded; replaced: "
              + calls.keySet());
    }
    return List.copyOf(list);
  }

  /**
   * Replays a recorded history against the orchestrators registered here, running nothing: passes
   * if the code still takes every step the history records.
   *
   * @throws NonDeterminismException with the step where code and history part, as the instance
   *     itself would fail on its next episode
   * @throws IllegalArgumentException if the history's orchestrator is not registered here
   */
  public void replay(RecordedHistory history) {
    ReplayVerdict verdict = engine.checkReplay(history.instanceId(), history.events());
    switch (verdict.outcome()) {
      case MATCHES -> {}
      case DIFFERS -> throw new NonDeterminismException(verdict.message());
      case NOT_HERE ->
          throw new IllegalArgumentException(
              "Cannot replay '" + history.instanceId() + "': " + verdict.message());
    }
  }

  /**
   * Replays the history in {@code file}: one {@code ./fermata replay --export} wrote, or an
   * instance's status saved from the HTTP API with {@code showHistory=true&showHistoryOutput=true}.
   *
   * @see #replay(RecordedHistory)
   */
  public void replay(Path file) throws IOException {
    replay(RecordedHistory.read(file));
  }

  /** An entity's current state, or empty if it has none. */
  public <T> Optional<T> entityState(EntityId entity, Class<T> type) {
    return client().getEntity(entity, type).map(EntitySnapshot::state);
  }

  @Override
  public void close() {
    if (ownsEngine) {
      engine.close();
    }
  }

  private InstanceState state(String instanceId) {
    return client()
        .getInstance(instanceId, true)
        .orElseThrow(
            () -> new InstanceNotFoundException("No instance with id '" + instanceId + "'"));
  }

  private Activity recording(Activity standIn, List<ActivityCall> list) {
    return ctx -> {
      list.add(new ActivityCall(ctx.getName(), ctx.getInstanceId(), ctx.getTaskId(), now(), ctx));
      return standIn.run(ctx);
    };
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** What the environment runs, and from when. */
  public static final class Builder {
    private final List<UnaryOperator<Fermata.Builder>> functions = new ArrayList<>();
    private final Map<String, Activity> activities = new LinkedHashMap<>();
    private final Map<String, Orchestrator> orchestrators = new LinkedHashMap<>();
    private Instant startAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private Duration wallLimit = DEFAULT_WALL_LIMIT;
    private DurableStore store;

    private Builder() {}

    /**
     * Runs the engine on {@code store} instead of a new in-memory store: a SQLite store (for
     * example {@code SqliteStore.open(tempDir.resolve("test.db"))}) runs the same in virtual time,
     * on a real file. The environment starts it with its clock and closes it. The store must be one
     * a single process dispatches ({@link VirtualTimeDispatch}); a PostgreSQL store waits on its
     * database, so the kit cannot tell when it has nothing to do.
     *
     * @throws IllegalArgumentException if the store cannot be driven by virtual time
     */
    public Builder store(DurableStore store) {
      this.store = requireVirtualTime(Objects.requireNonNull(store, "store"));
      return this;
    }

    private static DurableStore requireVirtualTime(DurableStore store) {
      if (!(store instanceof VirtualTimeDispatch)) {
        throw new IllegalArgumentException(
            store.getClass().getSimpleName()
                + " cannot run in virtual time: the kit must see when it has nothing to do,"
                + " which only single-process stores (in-memory, SQLite) tell");
      }
      return store;
    }

    /**
     * Registers functions and settings on the engine's builder, as the application does (for
     * example {@code b -> WarehouseShipping.register(b, settings)}); may be given several times.
     */
    public Builder functions(UnaryOperator<Fermata.Builder> register) {
      functions.add(Objects.requireNonNull(register, "register"));
      return this;
    }

    /** Runs {@code standIn} in place of the activity {@code name}, recording its calls. */
    public Builder replaceActivity(String name, Activity standIn) {
      activities.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(standIn, "standIn"));
      return this;
    }

    /** Runs {@code standIn} in place of the orchestrator {@code name} (a sub-orchestration). */
    public Builder replaceOrchestrator(String name, Orchestrator standIn) {
      orchestrators.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(standIn, "standIn"));
      return this;
    }

    /** The virtual time the environment starts at; by default the real time at the start. */
    public Builder startAt(Instant start) {
      this.startAt = Objects.requireNonNull(start, "start");
      return this;
    }

    /** How long, in real time, one wait may take before the test is failed (default 30 s). */
    public Builder wallClockLimit(Duration limit) {
      if (limit.isNegative() || limit.isZero()) {
        throw new IllegalArgumentException("the wall-clock limit must be positive, got " + limit);
      }
      this.wallLimit = limit;
      return this;
    }

    public FermataTestEnvironment start() {
      return new FermataTestEnvironment(this);
    }
  }
}
