package dev.fermata.internal.worker;

import dev.fermata.FailureDetails;
import dev.fermata.NonDeterminismException;
import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.InstanceIds;
import dev.fermata.internal.JsonConverter;
import dev.fermata.internal.entities.HeldLocks;
import dev.fermata.internal.replay.OrchestrationRunner;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.EpisodeOutcome;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.RemoteEpisode;
import dev.fermata.spi.RemoteWorkers;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one work item (an instance and its new messages) into one checkpoint: replays or resumes
 * the instance, feeds it the messages, and collects what it did. It reads history from the store
 * but writes nothing; the caller commits the checkpoint.
 */
final class EpisodeProcessor {
  /** The checkpoint to commit, and what to cache of the instance once it is durable (or null). */
  /**
   * @param retries the calls the engine's own code retried in this episode, by name (none for a
   *     remote worker's episode, whose SDK retries on its own)
   */
  record Result(Checkpoint checkpoint, CachedInstance toCache, List<String> retries) {
    Result(Checkpoint checkpoint, CachedInstance toCache) {
      this(checkpoint, toCache, List.of());
    }
  }

  private final DurableStore store;
  private final FunctionRegistry functions;
  private final JsonConverter json;
  private final InstantSource clock;
  private final RemoteWorkers remote;
  private final Duration blockingLimit;

  /**
   * @param remote runs the orchestrations the engine has no code for, or null if there are none
   */
  EpisodeProcessor(
      DurableStore store,
      FunctionRegistry functions,
      JsonConverter json,
      InstantSource clock,
      RemoteWorkers remote,
      Duration blockingLimit) {
    this.store = store;
    this.functions = functions;
    this.json = json;
    this.clock = clock;
    this.remote = remote;
    this.blockingLimit = blockingLimit;
  }

  /**
   * Processes a work item.
   *
   * @param cachedInstance what the cache kept of the instance, or null to rebuild it from history
   */
  Result process(OrchestrationWorkItem item, CachedInstance cachedInstance) {
    OrchestrationRunner cached =
        cachedInstance instanceof CachedInstance.Local local ? local.runner() : null;
    InstanceRecord instance = item.instance();
    Instant now = clock.instant();
    List<HistoryEvent> messages = new ArrayList<>();
    for (InboxMessage m : item.messages()) {
      // A message for an execution that has moved on (continueAsNew, restart) is stale.
      if (m.executionId() == null || m.executionId().equals(instance.executionId())) {
        messages.add(m.event());
      }
    }
    CheckpointBuilder out = new CheckpointBuilder(item, now);

    if (instance.status() == OrchestrationStatus.FAILED) {
      List<HistoryEvent> lateAnswers = messages.stream().filter(Rewind::isLateAnswer).toList();
      HistoryEvent.ExecutionRewound rewind = first(messages, HistoryEvent.ExecutionRewound.class);
      if (rewind != null) {
        discard(cached);
        return rewind(out, rewind, lateAnswers);
      }
      if (!lateAnswers.isEmpty()) {
        discard(cached);
        return keepLateAnswers(out, lateAnswers);
      }
    }
    if (instance.status().isTerminal()) {
      discard(cached); // late results and events for a finished instance are dropped
      return new Result(out.unchanged(instance), null);
    }
    HistoryEvent.ExecutionTerminated terminate =
        first(messages, HistoryEvent.ExecutionTerminated.class);
    if (terminate != null) {
      return terminate(out, cached, terminate);
    }

    if (runsRemotely(instance)) {
      discard(cached);
      List<HistoryEvent> history;
      if (cachedInstance instanceof CachedInstance.Remote remembered
          && remembered.executionId().equals(instance.executionId())) {
        history = remembered.history();
      } else {
        history = item.historyKnownEmpty() ? List.of() : store.getHistory(instance.instanceId());
      }
      out.startAt(history.size());
      return runRemotely(out, instance, history, episode(now, messages));
    }
    OrchestrationRunner runner = cached;
    if (runner == null || !instance.executionId().equals(runner.executionId())) {
      discard(runner);
      List<HistoryEvent> history =
          item.historyKnownEmpty() ? List.of() : store.getHistory(instance.instanceId());
      try {
        runner = replay(instance.instanceId(), history);
      } catch (NonDeterminismException e) {
        out.startAt(history.size());
        out.record(new HistoryEvent.OrchestratorStarted(now));
        return failed(out, instance, FailureDetails.fromException(e), HeldLocks.in(history));
      }
    }
    out.startAt(runner.historyLength());
    return runEpisode(out, instance, runner, episode(now, messages));
  }

  /** Whether the instance's code runs in a remote worker: the engine has none by its name. */
  private boolean runsRemotely(InstanceRecord instance) {
    return remote != null && functions.orchestrator(instance.name()) == null;
  }

  /** An episode's events: an OrchestratorStarted (the code's current time), then the messages. */
  private static List<HistoryEvent> episode(Instant now, List<HistoryEvent> messages) {
    List<HistoryEvent> episode = new ArrayList<>(messages.size() + 1);
    episode.add(new HistoryEvent.OrchestratorStarted(now));
    episode.addAll(messages);
    return episode;
  }

  private static <T extends HistoryEvent> T first(List<HistoryEvent> events, Class<T> type) {
    for (HistoryEvent e : events) {
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
    return null;
  }

  private static void discard(OrchestrationRunner runner) {
    if (runner != null) {
      runner.discard();
    }
  }

  /** Rebuilds a runner from history, without side effects. */
  private OrchestrationRunner replay(String instanceId, List<HistoryEvent> history) {
    return OrchestrationRunner.replayed(instanceId, history, functions, json, blockingLimit);
  }

  /** Applies the episode's events live, then records what the code did. */
  private Result runEpisode(
      CheckpointBuilder out,
      InstanceRecord instance,
      OrchestrationRunner runner,
      List<HistoryEvent> episode) {
    runner.setReplaying(false);
    try {
      for (HistoryEvent e : episode) {
        out.record(e);
        runner.apply(e);
      }
    } catch (NonDeterminismException e) {
      runner.discard();
      return failed(out, instance, FailureDetails.fromException(e), runner.locksToRelease());
    }
    EpisodeOutcome outcome = runner.outcome();
    List<String> retries = runner.takeRetries();
    if (outcome.ending() != null) {
      runner.discard();
      return new Result(record(out, instance, outcome, episode), null, retries);
    }
    Checkpoint checkpoint = record(out, instance, outcome, episode);
    runner.setHistoryLength(out.nextHistoryLength());
    return new Result(checkpoint, new CachedInstance.Local(runner), retries);
  }

  /**
   * Hands the episode to a remote worker and records its outcome: the same recording as for the
   * engine's own runner, from the same value.
   */
  private Result runRemotely(
      CheckpointBuilder out,
      InstanceRecord instance,
      List<HistoryEvent> history,
      List<HistoryEvent> episode) {
    EpisodeOutcome outcome;
    if (HistoryScan.hasStarted(history) || HistoryScan.hasStarted(episode)) {
      outcome =
          withEnginesState(
              remote.runEpisode(new RemoteEpisode(instance, history, episode)).join(),
              history,
              episode);
    } else {
      // Events that come before a scheduled start are kept, as the engine's own runner holds
      // them, until the ExecutionStarted arrives: there is no code to run yet.
      outcome =
          new EpisodeOutcome(
              List.of(),
              null,
              null,
              false,
              false,
              HistoryScan.isSuspended(history, episode),
              List.of());
    }
    episode.forEach(out::record);
    Checkpoint checkpoint = record(out, instance, outcome, episode);
    // The worker gets the whole history with every episode: keep it rather than read it again.
    CachedInstance keep =
        outcome.ending() == null
            ? new CachedInstance.Remote(instance.executionId(), out.historyAfter(history))
            : null;
    return new Result(checkpoint, keep);
  }

  /**
   * What a remote worker's outcome leaves to the engine, which knows it from the history: whether
   * the instance is suspended (the engine delivers suspends and resumes), and which entity locks an
   * ending execution still holds (a failing episode's actions are not carried out).
   */
  private static EpisodeOutcome withEnginesState(
      EpisodeOutcome outcome, List<HistoryEvent> history, List<HistoryEvent> episode) {
    List<String> held = List.of();
    if (outcome.ending() instanceof EpisodeOutcome.Failed) {
      held = HeldLocks.in(history);
    } else if (outcome.ending() != null) {
      held = HeldLocks.after(history, outcome.actions());
    }
    return new EpisodeOutcome(
        outcome.actions(),
        outcome.ending(),
        outcome.customStatus(),
        outcome.customStatusSet(),
        outcome.started(),
        HistoryScan.isSuspended(history, episode),
        held);
  }

  /** Records one episode's outcome: history, outgoing work, and the instance's new state. */
  private static void recordPatchMarkers(CheckpointBuilder out, EpisodeOutcome outcome) {
    for (String patchId : outcome.patchMarkers()) {
      out.record(new HistoryEvent.PatchApplied(out.now, patchId));
    }
  }

  private Checkpoint record(
      CheckpointBuilder out,
      InstanceRecord instance,
      EpisodeOutcome outcome,
      List<HistoryEvent> episode) {
    String customStatus =
        outcome.customStatusSet() ? outcome.customStatus() : instance.customStatus();
    switch (outcome.ending()) {
      case EpisodeOutcome.Failed f -> {
        // The calls of a failing episode are not made: the code never got past its failure.
        return failed(out, instance, f.failure(), outcome.locksToRelease()).checkpoint();
      }
      case EpisodeOutcome.ContinuedAsNew c -> {
        return continueAsNew(out, instance, outcome, c, customStatus);
      }
      case EpisodeOutcome.Completed c -> {
        recordPatchMarkers(out, outcome);
        ActionRecorder.emit(outcome.actions(), out, instance, true, true);
        cascade(out, instance.instanceId(), episode);
        ActionRecorder.releaseLocks(out, instance.instanceId(), outcome.locksToRelease());
        out.record(
            new HistoryEvent.ExecutionCompleted(
                out.now, OrchestrationStatus.COMPLETED, c.output(), null));
        InstanceRecord done =
            instance
                .withOutcome(OrchestrationStatus.COMPLETED, c.output(), null, out.now)
                .withCustomStatus(customStatus);
        notifyParent(
            out, done, new HistoryEvent.SubOrchestrationInstanceCompleted(out.now, 0, c.output()));
        return out.build(done);
      }
      case null -> {
        recordPatchMarkers(out, outcome);
        ActionRecorder.emit(outcome.actions(), out, instance, false, true);
        cascade(out, instance.instanceId(), episode);
        // Suspended before it started (a scheduled start, a backlog), the instance is Suspended
        // too: its ExecutionStarted is held like any other message, and resume makes it Pending
        // again.
        OrchestrationStatus status =
            outcome.suspended()
                ? OrchestrationStatus.SUSPENDED
                : outcome.started() ? OrchestrationStatus.RUNNING : OrchestrationStatus.PENDING;
        InstanceRecord next =
            instance.withOutcome(status, null, null, out.now).withCustomStatus(customStatus);
        return out.build(next);
      }
    }
  }

  /**
   * Passes the episode's recursive suspends and resumes on to the sub-orchestrations still running,
   * those started in this episode included; they pass them on to theirs in turn.
   */
  private void cascade(CheckpointBuilder out, String instanceId, List<HistoryEvent> episode) {
    List<HistoryEvent> requests = episode.stream().filter(EpisodeProcessor::recursive).toList();
    if (requests.isEmpty()) {
      return;
    }
    for (String child :
        HistoryScan.runningChildren(out.historyAfter(store.getHistory(instanceId)))) {
      for (HistoryEvent request : requests) {
        out.send(child, null, null, request);
      }
    }
  }

  private static boolean recursive(HistoryEvent e) {
    return e instanceof HistoryEvent.ExecutionSuspended s && s.recurse()
        || e instanceof HistoryEvent.ExecutionResumed r && r.recurse();
  }

  private static String customStatus(OrchestrationRunner runner, InstanceRecord instance) {
    return runner.hasSetCustomStatus() ? runner.customStatus() : instance.customStatus();
  }

  /** Fails the instance, releasing the entity locks it still holds ({@code locks}). */
  private Result failed(
      CheckpointBuilder out, InstanceRecord instance, FailureDetails failure, List<String> locks) {
    ActionRecorder.releaseLocks(out, instance.instanceId(), locks);
    out.record(
        new HistoryEvent.ExecutionCompleted(out.now, OrchestrationStatus.FAILED, null, failure));
    InstanceRecord done = instance.withOutcome(OrchestrationStatus.FAILED, null, failure, out.now);
    notifyParent(out, done, new HistoryEvent.SubOrchestrationInstanceFailed(out.now, 0, failure));
    return new Result(out.build(done), null);
  }

  private Checkpoint continueAsNew(
      CheckpointBuilder out,
      InstanceRecord instance,
      EpisodeOutcome outcome,
      EpisodeOutcome.ContinuedAsNew request,
      String customStatus) {
    out.resetHistory();
    ActionRecorder.emit(outcome.actions(), out, instance, true, false);
    ActionRecorder.releaseLocks(out, instance.instanceId(), outcome.locksToRelease());
    String executionId = InstanceIds.generate();
    out.send(
        instance.instanceId(),
        executionId,
        null,
        new HistoryEvent.ExecutionStarted(
            out.now,
            instance.name(),
            executionId,
            request.input(),
            instance.parent(),
            null,
            instance.version()));
    for (HistoryEvent.EventRaised e : request.carriedOver()) {
      out.send(instance.instanceId(), null, null, e);
    }
    // From the row rather than a fresh builder, so that what belongs to the instance and not to one
    // execution (its id, name, creation time, parent, and any component added later) carries over.
    InstanceRecord next =
        instance.toBuilder()
            .executionId(executionId)
            .status(OrchestrationStatus.CONTINUED_AS_NEW)
            .input(request.input())
            .output(null)
            .failure(null)
            .customStatus(customStatus)
            .lastUpdatedAt(out.now)
            .scheduledStartAt(null)
            .completedAt(null)
            .build();
    return out.build(next);
  }

  private Result terminate(
      CheckpointBuilder out, OrchestrationRunner cached, HistoryEvent.ExecutionTerminated request) {
    InstanceRecord instance = out.item.instance();
    List<HistoryEvent> history = null;
    List<String> locks;
    if (cached != null
        && instance.executionId().equals(cached.executionId())
        && !request.recurse()) {
      out.startAt(cached.historyLength());
      locks = cached.locksToRelease();
    } else {
      history = store.getHistory(instance.instanceId());
      out.startAt(history.size());
      locks = HeldLocks.in(history);
    }
    discard(cached);
    ActionRecorder.releaseLocks(out, instance.instanceId(), locks);
    if (request.recurse()) {
      for (String child : HistoryScan.runningChildren(history)) {
        out.send(
            child,
            null,
            null,
            new HistoryEvent.ExecutionTerminated(out.now, request.reason(), true));
      }
    }
    String reason = json.serialize(request.reason(), "termination reason");
    out.record(new HistoryEvent.OrchestratorStarted(out.now));
    out.record(request);
    out.record(
        new HistoryEvent.ExecutionCompleted(out.now, OrchestrationStatus.TERMINATED, reason, null));
    InstanceRecord done =
        instance.withOutcome(OrchestrationStatus.TERMINATED, reason, null, out.now);
    FailureDetails failure =
        new FailureDetails(
            "dev.fermata.Terminated",
            "Sub-orchestration '"
                + instance.instanceId()
                + "' was terminated"
                + (request.reason() == null ? "" : ": " + request.reason()),
            null,
            null,
            true);
    notifyParent(out, done, new HistoryEvent.SubOrchestrationInstanceFailed(out.now, 0, failure));
    return new Result(out.build(done), null);
  }

  /**
   * Appends answers that reached a Failed instance to its history, so that a rewind uses them
   * rather than run those calls again. The instance row is left as it is: the instance has not
   * changed, and its last update time still says when it failed.
   */
  private Result keepLateAnswers(CheckpointBuilder out, List<HistoryEvent> lateAnswers) {
    InstanceRecord instance = out.item.instance();
    out.startAt(store.getHistory(instance.instanceId()).size());
    lateAnswers.forEach(out::record);
    return new Result(out.build(instance), null);
  }

  private Result rewind(
      CheckpointBuilder out,
      HistoryEvent.ExecutionRewound request,
      List<HistoryEvent> lateAnswers) {
    InstanceRecord instance = out.item.instance();
    // Answers that came with the rewind count as if they had been stored before it.
    List<HistoryEvent> history = new ArrayList<>(store.getHistory(instance.instanceId()));
    history.addAll(lateAnswers);
    Rewind.Plan plan = Rewind.plan(history, instance, store, out.now);
    out.resetHistory();
    plan.history().forEach(out::record);
    for (HistoryEvent.TaskScheduled t : plan.activitiesToRerun()) {
      out.task(instance.instanceId(), instance.executionId(), t.eventId(), t.name(), t.input());
    }
    for (HistoryEvent.TimerCreated t : plan.timersToRearm()) {
      out.send(
          instance.instanceId(),
          instance.executionId(),
          t.fireAt(),
          new HistoryEvent.TimerFired(t.fireAt(), t.eventId(), t.fireAt(), t.timestamp()));
    }
    for (String child : plan.childrenToRewind()) {
      out.send(child, null, null, new HistoryEvent.ExecutionRewound(out.now, request.reason()));
    }
    InstanceRecord running = instance.withOutcome(OrchestrationStatus.RUNNING, null, null, out.now);
    List<HistoryEvent> episode = List.of(new HistoryEvent.OrchestratorStarted(out.now), request);
    if (runsRemotely(instance)) {
      return runRemotely(out, running, plan.history(), episode);
    }
    return runEpisode(out, running, replay(instance.instanceId(), plan.history()), episode);
  }

  private void notifyParent(CheckpointBuilder out, InstanceRecord done, HistoryEvent answer) {
    if (done.parent() == null) {
      return;
    }
    int taskId = done.parent().taskScheduledId();
    HistoryEvent event =
        switch (answer) {
          case HistoryEvent.SubOrchestrationInstanceCompleted c ->
              new HistoryEvent.SubOrchestrationInstanceCompleted(c.timestamp(), taskId, c.result());
          case HistoryEvent.SubOrchestrationInstanceFailed f ->
              new HistoryEvent.SubOrchestrationInstanceFailed(f.timestamp(), taskId, f.failure());
          default -> throw new IllegalArgumentException("not an answer: " + answer);
        };
    out.send(done.parent().instanceId(), done.parent().executionId(), null, event);
  }
}
