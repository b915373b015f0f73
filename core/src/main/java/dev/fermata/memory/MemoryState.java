package dev.fermata.memory;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.EntityRows;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LocalDispatcher;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StaleLockException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory store's data and the rules that change it. Not thread-safe: {@link InMemoryStore}
 * calls it under its lock. Each change signals the dispatcher as it happens (the lock makes the
 * whole operation atomic anyway) and adds the ids of changed instance rows to {@code changed}.
 */
final class MemoryState {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryState.class);
  private static final Comparator<InstanceRecord> QUERY_ORDER =
      Comparator.comparing(InstanceRecord::createdAt).thenComparing(InstanceRecord::instanceId);

  private static final class StoredInstance {
    InstanceRecord record;
    final List<HistoryEvent> history = new ArrayList<>();
    final TreeMap<Long, InboxMessage> inbox = new TreeMap<>(); // keyed by id: arrival order

    StoredInstance(InstanceRecord record) {
      this.record = record;
    }
  }

  private static final class StoredTask {
    final ActivityTask task;
    int deliveryCount;
    long lockToken; // 0 while not locked

    StoredTask(ActivityTask task) {
      this.task = task;
    }
  }

  private final InstantSource clock;
  private final LocalDispatcher<Long> dispatcher;
  private final Map<String, StoredInstance> instances = new HashMap<>();
  private final Map<Long, StoredTask> tasks = new HashMap<>();
  private final List<InboxMessage> deadLetters = new ArrayList<>();
  private long lastMessageId;
  private long lastTaskId;
  private long lastActivityToken;

  MemoryState(InstantSource clock, LocalDispatcher<Long> dispatcher) {
    this.clock = clock;
    this.dispatcher = dispatcher;
  }

  // ---- instances and messages ----

  boolean create(NewInstance request, Set<String> changed) {
    InstanceRecord record = request.record();
    String id = record.instanceId();
    StoredInstance existing = instances.get(id);
    if (existing != null && existing.record.status().isRunningLike()) {
      if (request.onConflict() != null) {
        enqueue(request.onConflict(), changed);
      }
      return false;
    }
    if (existing != null) {
      tasks.values().removeIf(t -> t.task.instanceId().equals(id));
    }
    instances.put(id, new StoredInstance(record));
    Instant startAt =
        record.scheduledStartAt() != null
            ? record.scheduledStartAt()
            : request.startEvent().scheduledStartTime();
    enqueue(new NewMessage(id, record.executionId(), startAt, request.startEvent()), changed);
    changed.add(id);
    return true;
  }

  Optional<OrchestrationStatus> send(
      NewMessage message, Set<OrchestrationStatus> accepted, Set<String> changed) {
    createEntityIfMissing(message.instanceId(), changed);
    StoredInstance target = instances.get(message.instanceId());
    if (target == null) {
      return Optional.empty();
    }
    OrchestrationStatus status = target.record.status();
    if (accepted.contains(status)) {
      enqueue(message, changed);
    }
    return Optional.of(status);
  }

  /** The first message for an entity creates its row (see {@link EntityRows}). */
  private void createEntityIfMissing(String instanceId, Set<String> changed) {
    if (EntityRows.isEntityId(instanceId) && !instances.containsKey(instanceId)) {
      instances.put(instanceId, new StoredInstance(EntityRows.newRow(instanceId, clock.instant())));
      changed.add(instanceId);
    }
  }

  /**
   * Adds a message to an existing instance's inbox (creating an entity's row); a message for no
   * instance is dropped.
   */
  private void enqueue(NewMessage m, Set<String> changed) {
    createEntityIfMissing(m.instanceId(), changed);
    StoredInstance target = instances.get(m.instanceId());
    if (target == null) {
      LOG.debug("dropping {} for unknown instance '{}'", m.event().eventType(), m.instanceId());
      return;
    }
    Instant visibleAt = m.visibleAt() == null ? clock.instant() : m.visibleAt();
    long id = ++lastMessageId;
    target.inbox.put(
        id, new InboxMessage(id, m.instanceId(), m.executionId(), visibleAt, m.event(), 0));
    dispatcher.signalInstance(m.instanceId(), visibleAt);
  }

  Optional<InstanceRecord> instance(String instanceId) {
    return Optional.ofNullable(instances.get(instanceId)).map(s -> s.record);
  }

  List<HistoryEvent> history(String instanceId) {
    StoredInstance s = instances.get(instanceId);
    return s == null ? List.of() : List.copyOf(s.history);
  }

  /** Up to {@code limit} matching rows after {@code after} (if not null), in query order. */
  List<InstanceRecord> query(InstanceFilter filter, PageCursor after, int limit) {
    return instances.values().stream()
        .map(s -> s.record)
        .filter(filter::matches)
        .filter(r -> after == null || isAfter(r, after))
        .sorted(QUERY_ORDER)
        .limit(limit)
        .toList();
  }

  private static boolean isAfter(InstanceRecord r, PageCursor cursor) {
    int byTime = r.createdAt().compareTo(cursor.createdAt());
    return byTime > 0 || (byTime == 0 && r.instanceId().compareTo(cursor.instanceId()) > 0);
  }

  boolean purge(String instanceId, Set<String> changed) {
    StoredInstance s = instances.get(instanceId);
    if (s == null || !s.record.status().isTerminal()) {
      return false;
    }
    if (EntityRows.isEntityId(instanceId) && !s.inbox.isEmpty()) {
      return false; // a message arrived for the empty entity: it lives on
    }
    instances.remove(instanceId);
    tasks.values().removeIf(t -> t.task.instanceId().equals(instanceId));
    deadLetters.removeIf(m -> m.instanceId().equals(instanceId));
    changed.add(instanceId);
    return true;
  }

  int purgeAll(InstanceFilter filter, Set<String> changed) {
    List<String> ids =
        instances.values().stream()
            .map(s -> s.record)
            .filter(r -> r.status().isTerminal() && filter.matches(r))
            .map(InstanceRecord::instanceId)
            .toList();
    ids.forEach(id -> purge(id, changed));
    return ids.size();
  }

  List<InboxMessage> deadLetters(String instanceId) {
    return deadLetters.stream().filter(m -> m.instanceId().equals(instanceId)).toList();
  }

  // ---- orchestration episodes ----

  /** The locked instance with its visible messages; empty (and unlocked) on a stale signal. */
  Optional<OrchestrationWorkItem> workItem(LocalDispatcher.Lease lease) {
    StoredInstance s = instances.get(lease.instanceId());
    List<InboxMessage> visible = s == null ? List.of() : visibleMessages(s);
    if (visible.isEmpty()) {
      dispatcher.release(lease.instanceId(), lease.token(), false, null);
      return Optional.empty();
    }
    return Optional.of(new OrchestrationWorkItem(s.record, visible, lease.token()));
  }

  private List<InboxMessage> visibleMessages(StoredInstance s) {
    Instant now = clock.instant();
    return s.inbox.values().stream().filter(m -> !m.visibleAt().isAfter(now)).toList();
  }

  /**
   * Applies a checkpoint, or refuses it whole.
   *
   * @throws StaleLockException if the lock is lost or the history moved on
   */
  void apply(Checkpoint cp, Set<String> changed) {
    String id = cp.instanceId();
    if (!dispatcher.holds(id, cp.lockToken())) {
      throw new StaleLockException(
          "checkpoint refused: instance '" + id + "' is not locked with token " + cp.lockToken());
    }
    StoredInstance s = instances.get(id);
    int stored = s == null ? 0 : s.history.size();
    if (!cp.resetHistory() && !cp.newEvents().isEmpty() && cp.firstEventIndex() != stored) {
      // Another episode recorded these steps already; dispatch again so that a fresh replay of
      // the stored history decides what happens next.
      dispatcher.release(id, cp.lockToken(), true, null);
      throw new StaleLockException(
          "checkpoint refused: instance '"
              + id
              + "' has "
              + stored
              + " history events but the checkpoint starts at "
              + cp.firstEventIndex());
    }
    if (s == null) {
      s = new StoredInstance(cp.instance());
      instances.put(id, s);
    }
    for (long messageId : cp.consumedMessageIds()) {
      InboxMessage consumed = s.inbox.remove(messageId);
      if (consumed != null && cp.deadLetter()) {
        deadLetters.add(consumed);
      }
    }
    if (cp.resetHistory()) {
      s.history.clear();
    }
    s.history.addAll(cp.newEvents());
    s.record = cp.instance();
    changed.add(id);
    // Children first, so that messages of this checkpoint can reach them.
    cp.newInstances().forEach(child -> create(child, changed));
    cp.newTasks().forEach(this::addTask);
    cp.newMessages().forEach(m -> enqueue(m, changed));
    dispatcher.release(id, cp.lockToken(), !visibleMessages(s).isEmpty(), null);
  }

  void abandon(OrchestrationWorkItem item, Duration retryDelay) {
    String id = item.instance().instanceId();
    if (!dispatcher.holds(id, item.lockToken())) {
      return;
    }
    StoredInstance s = instances.get(id);
    if (s != null) {
      for (InboxMessage m : item.messages()) {
        s.inbox.computeIfPresent(m.id(), (k, stored) -> redelivered(stored));
      }
    }
    dispatcher.release(id, item.lockToken(), true, retryDelay);
  }

  private static InboxMessage redelivered(InboxMessage m) {
    return new InboxMessage(
        m.id(), m.instanceId(), m.executionId(), m.visibleAt(), m.event(), m.deliveryCount() + 1);
  }

  // ---- activities ----

  private void addTask(ActivityTask task) {
    long id = ++lastTaskId;
    tasks.put(id, new StoredTask(task));
    dispatcher.signalActivity(id);
  }

  /** Locks a task the dispatcher handed out; empty if it is gone (purged, instance replaced). */
  Optional<ActivityWorkItem> lockTask(long taskId) {
    StoredTask t = tasks.get(taskId);
    if (t == null || t.lockToken != 0) {
      return Optional.empty();
    }
    t.lockToken = ++lastActivityToken;
    return Optional.of(new ActivityWorkItem(taskId, t.task, t.deliveryCount, t.lockToken));
  }

  /**
   * @throws StaleLockException if the task is gone or locked with another token
   */
  void complete(ActivityWorkItem item, HistoryEvent result, Set<String> changed) {
    StoredTask t = tasks.get(item.id());
    if (t == null || t.lockToken != item.lockToken()) {
      throw new StaleLockException(
          "activity result dropped: task "
              + item.id()
              + " of instance '"
              + item.task().instanceId()
              + "' is no longer locked with token "
              + item.lockToken());
    }
    tasks.remove(item.id());
    enqueue(new NewMessage(t.task.instanceId(), t.task.executionId(), null, result), changed);
  }

  void abandon(ActivityWorkItem item) {
    StoredTask t = tasks.get(item.id());
    if (t != null && t.lockToken == item.lockToken()) {
      t.deliveryCount++;
      t.lockToken = 0;
      dispatcher.signalActivity(item.id());
    }
  }
}
