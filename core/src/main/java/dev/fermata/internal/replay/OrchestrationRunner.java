package dev.fermata.internal.replay;

import dev.fermata.FailureDetails;
import dev.fermata.NonDeterminismException;
import dev.fermata.Orchestrator;
import dev.fermata.OrchestratorBlockedException;
import dev.fermata.UnknownFunctionException;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.JsonConverter;
import dev.fermata.internal.LogContext;
import dev.fermata.spi.EpisodeOutcome;
import dev.fermata.spi.OrchestratorAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One execution of an orchestration, rebuilt from history events and kept alive between episodes.
 *
 * <p>The orchestrator code runs on its own virtual thread. {@link #apply} feeds one history event
 * on the engine's thread; whenever that settles the task the code is blocked on, control is handed
 * to the code until it blocks again or returns. Only one side runs at a time (a baton passed with
 * two semaphores), so the code sees a single thread and the state here needs no locks.
 *
 * <p>The same {@link #apply} serves replay and live episodes: the result of a replay is the state
 * the live run had, and any difference between what the code does and what the history says is
 * reported as a {@link NonDeterminismException}.
 */
public final class OrchestrationRunner {
  /** Unwinds the code's thread when the runner is discarded; never seen by the engine. */
  private static final class Discarded extends Error {
    Discarded() {
      super("orchestration runner discarded", null, false, false);
    }
  }

  /** The code called continueAsNew with this input. */
  public record ContinueAsNew(String input, boolean preserveUnprocessedEvents) {}

  static final int MAX_ACTIONS = 100_000;

  private final String instanceId;
  private final FunctionRegistry functions;
  private final JsonConverter json;
  private final ContextImpl context;
  private final ExternalEvents events = new ExternalEvents();
  private final Map<Integer, TaskImpl<?>> openTasks = new HashMap<>();
  private final LinkedHashMap<Integer, OrchestratorAction> unmatched = new LinkedHashMap<>();
  private final List<String> retried = new ArrayList<>();
  private final List<HistoryEvent> held = new ArrayList<>();

  /** Patches whose marker is in this execution's history, recorded or replayed. */
  private final Set<String> patchMarkers = new HashSet<>();

  /** What {@code isPatched} answered for each id: the first call decides. */
  private final Map<String, Boolean> patchAnswers = new HashMap<>();

  /** Patch markers the code asked for in this episode, to be recorded. */
  private final List<String> newPatchMarkers = new ArrayList<>();

  private String name;
  private String executionId;
  private String version;
  private String input;
  private Instant currentTime = Instant.EPOCH;
  private boolean replaying;
  private boolean suspended;
  private int nextSequence;
  private long completions;
  private int uuidCounter;
  private String customStatus;
  private boolean customStatusSet; // the code called setCustomStatus, perhaps with null
  private ContinueAsNew continueAsNew;
  private int historyLength;
  private CriticalSectionImpl criticalSection; // the open one, or null

  // The code's thread and the hand-off.
  private Thread thread;
  private final Semaphore codeTurn = new Semaphore(0);
  private final Semaphore engineTurn = new Semaphore(0);
  private TaskImpl<?> blockedOn;
  private volatile boolean discarded;
  private boolean finished;
  private String output;
  private Throwable failure;

  private final Duration blockingLimit;

  public OrchestrationRunner(String instanceId, FunctionRegistry functions, JsonConverter json) {
    this(instanceId, functions, json, Duration.ZERO);
  }

  /**
   * @param blockingLimit how long the code may run without awaiting a durable task before the
   *     episode is given up ({@link OrchestratorBlockedException}); zero for no limit
   */
  public OrchestrationRunner(
      String instanceId, FunctionRegistry functions, JsonConverter json, Duration blockingLimit) {
    this.blockingLimit = blockingLimit;
    this.instanceId = instanceId;
    this.functions = functions;
    this.json = json;
    this.context = new ContextImpl(this);
  }

  /**
   * A runner rebuilt from {@code history}, without side effects, ready for the next episode.
   *
   * @throws NonDeterminismException if the code no longer does what the history records
   */
  public static OrchestrationRunner replayed(
      String instanceId,
      List<HistoryEvent> history,
      FunctionRegistry functions,
      JsonConverter json,
      Duration blockingLimit) {
    OrchestrationRunner runner =
        new OrchestrationRunner(instanceId, functions, json, blockingLimit);
    runner.setReplaying(true);
    // A patch's marker may come after the point where the code asks about it: known up front.
    for (HistoryEvent e : history) {
      if (e instanceof HistoryEvent.PatchApplied p) {
        runner.patchMarkers.add(p.patchId());
      }
    }
    try {
      for (HistoryEvent e : history) {
        runner.apply(e);
      }
    } catch (RuntimeException e) {
      runner.discard();
      throw e;
    }
    runner.setHistoryLength(history.size());
    return runner;
  }

  // ---- feeding events (engine thread) ----

  /** Sets whether the events applied next are replayed from history or new in this episode. */
  public void setReplaying(boolean replaying) {
    this.replaying = replaying;
  }

  /**
   * Applies one history event and lets the code run as far as it can.
   *
   * @throws NonDeterminismException if the event contradicts what the code does
   */
  public void apply(HistoryEvent event) {
    if (suspended && holdWhileSuspended(event)) {
      held.add(event);
      return;
    }
    switch (event) {
      case HistoryEvent.OrchestratorStarted s -> currentTime = s.timestamp();
      case HistoryEvent.ExecutionStarted s -> start(s);
      case HistoryEvent.TaskScheduled s -> verify(s.eventId(), event);
      case HistoryEvent.TimerCreated s -> verify(s.eventId(), event);
      case HistoryEvent.SubOrchestrationInstanceCreated s -> verify(s.eventId(), event);
      case HistoryEvent.EventSent s -> verify(s.eventId(), event);
      case HistoryEvent.TaskCompleted c -> completeCall(c.taskScheduledId(), c.result());
      case HistoryEvent.TaskFailed f -> failCall(f.taskScheduledId(), f.failure());
      case HistoryEvent.SubOrchestrationInstanceCompleted c ->
          completeCall(c.taskScheduledId(), c.result());
      case HistoryEvent.SubOrchestrationInstanceFailed f ->
          failCall(f.taskScheduledId(), f.failure());
      case HistoryEvent.TimerFired f -> {
        if (openTasks.remove(f.timerId()) instanceof TimerTask timer) {
          timer.complete(null);
        }
      }
      case HistoryEvent.EventRaised r -> events.arrived(r.name(), r.input());
      case HistoryEvent.ExecutionSuspended s -> suspended = true;
      case HistoryEvent.ExecutionResumed r -> resume();
      case HistoryEvent.ExecutionTerminated t -> {} // the worker ends the instance
      case HistoryEvent.ExecutionCompleted c -> {}
      case HistoryEvent.ExecutionRewound r -> {}
      case HistoryEvent.PatchApplied p -> patchMarkers.add(p.patchId());
      case HistoryEvent.EntityOperationSent s -> verify(s.eventId(), event);
      case HistoryEvent.EntityLockRequested s -> verify(s.eventId(), event);
      case HistoryEvent.EntityUnlockSent s -> verify(s.eventId(), event);
      case HistoryEvent.EntityOperationCompleted c -> completeCall(c.taskScheduledId(), c.result());
      case HistoryEvent.EntityOperationFailed f -> failCall(f.taskScheduledId(), f.failure());
      case HistoryEvent.EntityLockGranted g -> completeCall(g.taskScheduledId(), null);
      // Messages for entities; an orchestration never receives them.
      case HistoryEvent.EntityOperationRequested r -> {}
      case HistoryEvent.EntityLockRequest r -> {}
      case HistoryEvent.EntityUnlock u -> {}
    }
    letCodeRun();
  }

  private static boolean holdWhileSuspended(HistoryEvent e) {
    return !(e instanceof HistoryEvent.ExecutionResumed
        || e instanceof HistoryEvent.ExecutionSuspended
        || e instanceof HistoryEvent.OrchestratorStarted
        || e instanceof HistoryEvent.ExecutionTerminated);
  }

  private void resume() {
    suspended = false;
    List<HistoryEvent> toApply = List.copyOf(held);
    held.clear();
    for (HistoryEvent e : toApply) {
      apply(e);
    }
  }

  private void verify(int sequence, HistoryEvent scheduled) {
    OrchestratorAction action = unmatched.remove(sequence);
    if (action == null) {
      throw new NonDeterminismException(
          "Non-deterministic orchestration '"
              + name
              + "' (instance '"
              + instanceId
              + "'): at sequence #"
              + sequence
              + " the history has "
              + OrchestratorAction.describeScheduled(scheduled)
              + ", but the orchestrator code no longer schedules anything there");
    }
    if (!action.matches(scheduled)) {
      throw new NonDeterminismException(
          "Non-deterministic orchestration '"
              + name
              + "' (instance '"
              + instanceId
              + "'): at sequence #"
              + sequence
              + " the history has "
              + OrchestratorAction.describeScheduled(scheduled)
              + ", but the orchestrator code now schedules "
              + action.describe());
    }
  }

  private void completeCall(int sequence, String resultJson) {
    if (openTasks.remove(sequence) instanceof CallTask<?> call) {
      call.completeWithJson(resultJson);
    }
  }

  private void failCall(int sequence, FailureDetails details) {
    if (openTasks.remove(sequence) instanceof CallTask<?> call) {
      call.failWith(details);
    }
  }

  private void start(HistoryEvent.ExecutionStarted started) {
    name = started.name();
    executionId = started.executionId();
    input = started.input();
    version = started.version();
    Orchestrator code = functions.orchestrator(name);
    if (code == null) {
      finished = true;
      failure = new UnknownFunctionException("orchestrator", name, functions.orchestratorNames());
      return;
    }
    thread =
        Thread.ofVirtual().name("fermata-orchestrator-" + instanceId).unstarted(() -> run(code));
    thread.start();
    awaitCodeBlocked();
  }

  private void run(Orchestrator code) {
    // The code's thread is this execution's alone: its keys stay for the thread's life.
    try (LogContext logged = LogContext.orchestration(instanceId, name, executionId)) {
      runLogged(code);
    }
  }

  private void runLogged(Orchestrator code) {
    try {
      Object result = code.run(context);
      if (!discarded && continueAsNew == null) {
        output = json.serialize(result, "output of orchestrator '" + name + "'");
      }
    } catch (Discarded d) {
      // the runner was evicted or ended; nothing to report
    } catch (Throwable t) {
      if (!discarded) {
        failure = t;
      }
    } finally {
      finished = true;
      engineTurn.release();
    }
  }

  /** Hands control to the code if what it waits for is done, and waits until it blocks again. */
  private void letCodeRun() {
    if (thread == null || finished || blockedOn == null || !blockedOn.isDone()) {
      return;
    }
    codeTurn.release();
    awaitCodeBlocked();
  }

  /**
   * Waits until the code awaits a task or returns. Past the blocking limit the runner is given up:
   * the code's thread is interrupted (a sleep or a blocking read ends) and unwinds at its next
   * await; code that never awaits again keeps its thread, which nothing can stop.
   *
   * @throws OrchestratorBlockedException if the limit passed
   */
  private void awaitCodeBlocked() {
    if (blockingLimit.isZero()) {
      engineTurn.acquireUninterruptibly();
      return;
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (engineTurn.tryAcquire(blockingLimit.toNanos(), TimeUnit.NANOSECONDS)) {
            return;
          }
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the engine's thread is not the one to stop; wait again
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    StackTraceElement[] where = thread.getStackTrace();
    discarded = true;
    thread.interrupt();
    throw new OrchestratorBlockedException(name, instanceId, blockingLimit, where);
  }

  // ---- called from the code's thread ----

  void awaitTask(TaskImpl<?> task) {
    checkOnCodeThread();
    while (!task.isDone()) {
      if (discarded) {
        throw new Discarded();
      }
      blockedOn = task;
      engineTurn.release();
      codeTurn.acquireUninterruptibly();
      if (discarded) {
        throw new Discarded();
      }
    }
    blockedOn = null;
  }

  void checkOnCodeThread() {
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException(
          "Orchestration context methods and Task.await() may only be called from the"
              + " orchestrator's own thread (instance '"
              + instanceId
              + "'), not from "
              + Thread.currentThread());
    }
    if (discarded) {
      throw new Discarded();
    }
  }

  // ---- actions (the code's thread, or completion callbacks on the engine's thread) ----

  /**
   * A retry policy gave a failed call of {@code name} another attempt. Noted only live, not on
   * replay, so each retry is counted once ({@link #takeRetries}).
   */
  void retrying(String name) {
    if (!replaying) {
      retried.add(name);
    }
  }

  /** The calls retried live since the last call, by name; forgets them. */
  public List<String> takeRetries() {
    if (retried.isEmpty()) {
      return List.of();
    }
    List<String> taken = List.copyOf(retried);
    retried.clear();
    return taken;
  }

  int nextSequence() {
    if (nextSequence >= MAX_ACTIONS) {
      throw new IllegalStateException(
          "Orchestration '"
              + name
              + "' exceeded "
              + MAX_ACTIONS
              + " actions in one execution; use continueAsNew or sub-orchestrations");
    }
    return nextSequence++;
  }

  /** Records an action and, if it has one, the task its answer completes. */
  void schedule(OrchestratorAction action, TaskImpl<?> task) {
    unmatched.put(action.sequence(), action);
    if (task != null) {
      openTasks.put(action.sequence(), task);
    }
  }

  TimerTask newTimer(Instant fireAt) {
    int sequence = nextSequence();
    TimerTask timer = new TimerTask(this, sequence, fireAt);
    schedule(new OrchestratorAction.CreateTimer(sequence, fireAt), timer);
    return timer;
  }

  void forgetOpenTask(int sequence) {
    openTasks.remove(sequence);
  }

  long nextCompletionOrder() {
    return completions++;
  }

  int nextUuidCounter() {
    return uuidCounter++;
  }

  void setCustomStatus(String statusJson) {
    customStatus = statusJson;
    customStatusSet = true;
  }

  CriticalSectionImpl criticalSection() {
    return criticalSection;
  }

  void setCriticalSection(CriticalSectionImpl section) {
    criticalSection = section;
  }

  /** See {@link dev.fermata.OrchestrationContext#isPatched}. */
  boolean isPatched(String patchId) {
    return patchAnswers.computeIfAbsent(
        patchId,
        id -> {
          if (patchMarkers.contains(id)) {
            return true; // this execution took the new branch when it first got here
          }
          if (replaying) {
            return false; // the history went past this point under the old code
          }
          patchMarkers.add(id);
          newPatchMarkers.add(id);
          return true;
        });
  }

  void requestContinueAsNew(ContinueAsNew request) {
    continueAsNew = request;
  }

  // ---- results of an episode (engine thread) ----

  /**
   * The actions the code issued that the history does not have yet, in the order issued; they are
   * forgotten here, as the caller records them in the history.
   */
  public List<OrchestratorAction> takeNewActions() {
    List<OrchestratorAction> actions = List.copyOf(unmatched.values());
    unmatched.clear();
    return actions;
  }

  /**
   * What the code did in the episode just applied, as the value the recorder takes from any runner
   * (this one or a remote worker); takes the new actions like {@link #takeNewActions}.
   */
  public EpisodeOutcome outcome() {
    EpisodeOutcome.Ending ending = null;
    if (continueAsNew != null) {
      ending =
          new EpisodeOutcome.ContinuedAsNew(
              continueAsNew.input(),
              continueAsNew.preserveUnprocessedEvents() ? unconsumedEvents() : List.of());
    } else if (finished) {
      ending =
          failure != null
              ? new EpisodeOutcome.Failed(FailureDetails.fromException(failure))
              : new EpisodeOutcome.Completed(output);
    }
    List<String> patches = List.copyOf(newPatchMarkers);
    newPatchMarkers.clear();
    return new EpisodeOutcome(
        takeNewActions(),
        ending,
        customStatus,
        customStatusSet,
        hasStarted(),
        suspended,
        locksToRelease(),
        patches);
  }

  /** Stops the code's thread (it unwinds at its next await) so that its memory can be freed. */
  public void discard() {
    discarded = true;
    if (thread != null && !finished) {
      codeTurn.release();
    }
  }

  public boolean hasStarted() {
    return executionId != null;
  }

  public boolean isFinished() {
    return finished || continueAsNew != null;
  }

  /** The JSON result once the code returned normally. */
  public String output() {
    return output;
  }

  /** What the code threw, if it failed. */
  public Throwable failure() {
    return failure;
  }

  public ContinueAsNew continueAsNew() {
    return continueAsNew;
  }

  /** Events that arrived but were never consumed, in arrival order (kept across continueAsNew). */
  public List<HistoryEvent.EventRaised> unconsumedEvents() {
    List<HistoryEvent.EventRaised> result = new ArrayList<>();
    for (ExternalEvents.Buffered b : events.unconsumed()) {
      result.add(new HistoryEvent.EventRaised(currentTime, b.name(), b.json()));
    }
    for (HistoryEvent e : held) {
      if (e instanceof HistoryEvent.EventRaised r) {
        result.add(r);
      }
    }
    return result;
  }

  /**
   * Entity ids (text form) whose locks this execution requested and has not released: what must be
   * released when it ends.
   */
  public List<String> locksToRelease() {
    return criticalSection == null ? List.of() : criticalSection.entityIdStrings();
  }

  public boolean isSuspended() {
    return suspended;
  }

  /** The custom status the code last set (null clears it); see {@link #hasSetCustomStatus}. */
  public String customStatus() {
    return customStatus;
  }

  /**
   * Whether the code of this execution has set a custom status (null included); if not, the
   * instance keeps the one it had (from a previous execution, before continueAsNew).
   */
  public boolean hasSetCustomStatus() {
    return customStatusSet;
  }

  public String name() {
    return name;
  }

  public String executionId() {
    return executionId;
  }

  /** The orchestration version of this execution, or null. */
  public String version() {
    return version;
  }

  public int historyLength() {
    return historyLength;
  }

  public void setHistoryLength(int length) {
    historyLength = length;
  }

  // ---- shared with tasks and the context ----

  String instanceId() {
    return instanceId;
  }

  String input() {
    return input;
  }

  Instant currentTime() {
    return currentTime;
  }

  boolean isReplaying() {
    return replaying;
  }

  JsonConverter json() {
    return json;
  }

  FunctionRegistry functions() {
    return functions;
  }

  ExternalEvents events() {
    return events;
  }
}
