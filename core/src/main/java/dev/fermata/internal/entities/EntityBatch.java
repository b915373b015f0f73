package dev.fermata.internal.entities;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationStatus;
import dev.fermata.UnknownFunctionException;
import dev.fermata.entities.EntityFunction;
import dev.fermata.entities.EntityId;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.JsonConverter;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.EntityBatchOutcome;
import dev.fermata.spi.EntityRows;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.RemoteEntityBatch;
import dev.fermata.spi.RemoteWorkers;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes one batch of an entity's messages into one checkpoint: operations run one at a time in
 * arrival order, lock requests and releases update the entity's scheduler state, and then the new
 * state row, the consumed messages and every message sent (answers, signals, forwarded lock
 * requests, orchestration starts) are committed together. That single commit is what makes each
 * operation take effect exactly once.
 *
 * <p>While an orchestration holds the entity's lock, messages from other senders are deferred into
 * the scheduler state (not left in the inbox, which would be dispatched again at once) and run
 * after the release, before anything newer.
 *
 * <p>Scheduling comes first and decides which operations run, in which order; only then do they
 * run, in the engine or, for an entity the engine has no code for, as one batch in a remote worker.
 * Operations never change the scheduler state, so both ways produce the same checkpoint.
 */
public final class EntityBatch {
  private static final Logger log = LoggerFactory.getLogger(EntityBatch.class);

  private final DurableStore store;
  private final FunctionRegistry functions;
  private final JsonConverter json;
  private final JsonConverter fieldsJson;
  private final InstantSource clock;
  private final int maxBatchSize;
  private final RemoteWorkers remote;

  /**
   * @param remote runs the operations of entities the engine has no code for, or null
   */
  public EntityBatch(
      DurableStore store,
      FunctionRegistry functions,
      JsonConverter json,
      InstantSource clock,
      int maxBatchSize,
      RemoteWorkers remote) {
    this.remote = remote;
    this.store = store;
    this.functions = functions;
    this.json = json;
    this.fieldsJson = json.byFields();
    this.clock = clock;
    this.maxBatchSize = maxBatchSize;
  }

  /** What one batch produced, per work item. */
  private final class Run {
    final EntityId id;
    final Instant now;
    final SchedulerState scheduler;
    final List<NewMessage> sent = new ArrayList<>();
    final List<NewInstance> started = new ArrayList<>();
    final List<HistoryEvent.EntityOperationRequested> operations = new ArrayList<>();
    String state;

    Run(InstanceRecord row, Instant now) {
      this.id = EntityId.parse(row.instanceId());
      this.now = now;
      this.scheduler = SchedulerState.read(row.customStatus());
      this.state = row.output();
    }
  }

  /** The checkpoint for a work item of an entity; at most the batch size of messages is used. */
  public Checkpoint process(OrchestrationWorkItem item) {
    InstanceRecord row = item.instance();
    Run run = new Run(row, clock.instant());
    List<Long> consumed = new ArrayList<>();
    Deque<HistoryEvent> work = new ArrayDeque<>();
    for (InboxMessage m : item.messages()) {
      if (consumed.size() == maxBatchSize) {
        break; // the rest stays in the inbox for the next batch
      }
      consumed.add(m.id());
      work.add(m.event());
    }
    while (!work.isEmpty()) {
      HistoryEvent message = work.poll();
      switch (message) {
        case HistoryEvent.EntityOperationRequested op -> {
          if (isLockedAgainst(run, op.senderId())) {
            run.scheduler.defer(op);
          } else {
            run.operations.add(op);
          }
        }
        case HistoryEvent.EntityLockRequest request -> {
          if (run.scheduler.lockedBy() != null) {
            run.scheduler.defer(request);
          } else {
            lock(run, request);
          }
        }
        case HistoryEvent.EntityUnlock unlock -> {
          if (unlock.senderId().equals(run.scheduler.lockedBy())) {
            List<HistoryEvent> deferred = run.scheduler.unlock();
            for (int i = deferred.size() - 1; i >= 0; i--) {
              work.addFirst(deferred.get(i)); // older than anything still in the batch
            }
          }
        }
        default -> log.warn("Entity {} ignored a {} message", run.id, message.eventType());
      }
    }
    EntityFunction code = functions.entity(run.id.name());
    if (code == null && remote != null && !run.operations.isEmpty()) {
      operateRemotely(run);
    } else {
      for (HistoryEvent.EntityOperationRequested op : run.operations) {
        operate(run, op, code);
      }
    }
    boolean empty = run.state == null && run.scheduler.isEmpty();
    // From the row, so that a component added later keeps its stored value; every component an
    // entity row gives a meaning to (EntityRows) is set here.
    InstanceRecord next =
        row.toBuilder()
            .name(run.id.name())
            .executionId(EntityRows.EXECUTION_ID)
            .status(empty ? OrchestrationStatus.COMPLETED : OrchestrationStatus.RUNNING)
            .input(null)
            .output(run.state)
            .failure(null)
            .customStatus(run.scheduler.toJson())
            .lastUpdatedAt(run.now)
            .scheduledStartAt(null)
            .completedAt(empty ? run.now : null)
            .parent(null)
            .build();
    return Checkpoint.builder(row.instanceId(), item.lockToken())
        .consumedMessageIds(consumed)
        .instance(next)
        .newMessages(run.sent)
        .newInstances(run.started)
        .build();
  }

  private static boolean isLockedAgainst(Run run, String sender) {
    String holder = run.scheduler.lockedBy();
    return holder != null && !holder.equals(sender);
  }

  /** Runs one operation; on failure its state change and messages are dropped. */
  private void operate(Run run, HistoryEvent.EntityOperationRequested op, EntityFunction code) {
    FailureDetails failure = null;
    String result = null;
    if (code == null) {
      failure =
          FailureDetails.fromException(
              new UnknownFunctionException("entity", run.id.name(), functions.entityNames()));
    } else {
      EntityContextImpl ctx =
          new EntityContextImpl(
              run.id,
              op.operation(),
              op.input(),
              run.state,
              json,
              code instanceof ClassEntity<?> ? fieldsJson : json,
              functions,
              run.now);
      try {
        Object value = code.run(ctx);
        result = json.serialize(value, "result of operation '" + op.operation() + "'");
        String newState = ctx.currentStateJson();
        run.state = newState;
        run.sent.addAll(ctx.messages);
        run.started.addAll(ctx.starts);
      } catch (Exception e) {
        failure = FailureDetails.fromException(e);
      }
    }
    answer(run, op, result, failure);
  }

  /**
   * Runs the batch's operations in a remote worker, waiting for its answer. A worker that goes away
   * fails the batch, which is then abandoned and runs again from the stored row.
   */
  private void operateRemotely(Run run) {
    List<RemoteEntityBatch.Operation> operations = new ArrayList<>(run.operations.size());
    for (HistoryEvent.EntityOperationRequested op : run.operations) {
      operations.add(new RemoteEntityBatch.Operation(op.operation(), op.input()));
    }
    EntityBatchOutcome outcome =
        remote.runEntityBatch(new RemoteEntityBatch(run.id, run.state, operations)).join();
    if (outcome.results().size() != operations.size()) {
      throw new IllegalStateException(
          "The worker that ran entity "
              + run.id
              + " answered "
              + outcome.results().size()
              + " of its "
              + operations.size()
              + " operations");
    }
    for (int i = 0; i < operations.size(); i++) {
      EntityBatchOutcome.OperationResult r = outcome.results().get(i);
      answer(run, run.operations.get(i), r.output(), r.failure());
    }
    run.state = outcome.state();
    for (EntityBatchOutcome.EntityAction action : outcome.actions()) {
      switch (action) {
        case EntityBatchOutcome.SignalEntity s ->
            run.sent.add(
                EntityMessages.signal(
                    run.id, run.now, s.target(), s.operation(), s.input(), s.at()));
        case EntityBatchOutcome.StartOrchestration s ->
            run.started.add(
                EntityMessages.orchestration(run.now, s.name(), s.instanceId(), s.input(), s.at()));
      }
    }
  }

  /** Sends an operation's result to the orchestration that called it, if one did. */
  private static void answer(
      Run run, HistoryEvent.EntityOperationRequested op, String result, FailureDetails failure) {
    if (failure != null && op.responseId() < 0) {
      log.warn(
          "Operation '{}' signalled to entity {} failed: {}",
          op.operation(),
          run.id,
          failure.summary());
    }
    if (op.responseId() >= 0 && op.senderId() != null) {
      HistoryEvent answer =
          failure == null
              ? new HistoryEvent.EntityOperationCompleted(run.now, op.responseId(), result)
              : new HistoryEvent.EntityOperationFailed(run.now, op.responseId(), failure);
      run.sent.add(new NewMessage(op.senderId(), op.senderExecutionId(), null, answer));
    }
  }

  /** Locks the entity for the requester, then passes the request on or grants it. */
  private void lock(Run run, HistoryEvent.EntityLockRequest request) {
    if (!isRunning(request.senderId(), request.senderExecutionId())) {
      // The orchestration ended before its request got here; its release may already have come
      // and gone, so taking the lock now would hold it forever.
      log.debug("Entity {} dropped a lock request of ended {}", run.id, request.senderId());
      return;
    }
    run.scheduler.lock(request.senderId(), request.senderExecutionId());
    int next = request.position() + 1;
    if (next < request.lockSet().size()) {
      run.sent.add(
          NewMessage.now(
              request.lockSet().get(next),
              new HistoryEvent.EntityLockRequest(
                  run.now,
                  request.lockSet(),
                  next,
                  request.senderId(),
                  request.senderExecutionId(),
                  request.responseId())));
    } else {
      run.sent.add(
          new NewMessage(
              request.senderId(),
              request.senderExecutionId(),
              null,
              new HistoryEvent.EntityLockGranted(run.now, request.responseId())));
    }
  }

  private boolean isRunning(String instanceId, String executionId) {
    Optional<InstanceRecord> holder = store.getInstance(instanceId);
    return holder.isPresent()
        && holder.get().status().isRunningLike()
        && (executionId == null || executionId.equals(holder.get().executionId()));
  }
}
