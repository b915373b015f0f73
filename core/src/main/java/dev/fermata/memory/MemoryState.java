package dev.fermata.memory;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.ActivityTask;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.DeadLetter;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.LocalDispatcher;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StoreTransaction;
import dev.fermata.spi.WorkBacklog;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The in-memory store's data, and every write to it as one {@link StoreTransaction} that the shared
 * rules drive. Not thread-safe: {@link InMemoryStore} calls it under its lock, which makes each
 * operation atomic, so wake-ups are signalled as they happen; changed instance rows are collected
 * for the listeners, which run once the lock is released.
 */
final class MemoryState implements StoreTransaction {
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

  private record HandOut(long token, List<Long> messageIds) {}

  private final InstantSource clock;
  private final LocalDispatcher<Long> dispatcher;
  private final Map<String, StoredInstance> instances = new HashMap<>();
  private final Map<Long, StoredTask> tasks = new HashMap<>();
  private final TreeMap<Long, DeadLetter> deadLetters = new TreeMap<>();
  private final Map<String, HandOut> handOuts = new HashMap<>();
  private final Map<String, Change> changed = new LinkedHashMap<>();
  private long lastMessageId;
  private long lastTaskId;
  private long lastDeadLetterId;
  private long lastActivityToken;

  MemoryState(InstantSource clock, LocalDispatcher<Long> dispatcher) {
    this.clock = clock;
    this.dispatcher = dispatcher;
  }

  /** A change to an instance row: its new status (null: purged), and the row when known. */
  record Change(OrchestrationStatus status, InstanceRecord row) {}

  /** The instance rows changed since the last call. */
  Map<String, Change> drainChanged() {
    Map<String, Change> drained = new LinkedHashMap<>(changed);
    changed.clear();
    return drained;
  }

  // ---- reads ----

  WorkBacklog workBacklog() {
    Instant now = clock.instant();
    long visible = 0;
    Instant oldest = null;
    for (StoredInstance s : instances.values()) {
      for (InboxMessage m : s.inbox.values()) {
        if (!m.visibleAt().isAfter(now)) {
          visible++;
          if (oldest == null || m.visibleAt().isBefore(oldest)) {
            oldest = m.visibleAt();
          }
        }
      }
    }
    return new WorkBacklog(visible, tasks.size(), oldest);
  }

  /** Whether any activity task is queued or running (its row lives until its result is in). */
  boolean hasTasks() {
    return !tasks.isEmpty();
  }

  Optional<InstanceRecord> instance(String instanceId) {
    return Optional.ofNullable(instances.get(instanceId)).map(s -> s.record);
  }

  List<HistoryEvent> history(String instanceId) {
    StoredInstance s = instances.get(instanceId);
    return s == null ? List.of() : List.copyOf(s.history);
  }

  Set<Integer> openTaskIds(String instanceId, String executionId) {
    Set<Integer> open = new HashSet<>();
    for (StoredTask t : tasks.values()) {
      if (t.task.instanceId().equals(instanceId)
          && Objects.equals(t.task.executionId(), executionId)) {
        open.add(t.task.taskId());
      }
    }
    StoredInstance s = instances.get(instanceId);
    if (s != null) {
      for (InboxMessage m : s.inbox.values()) {
        if (Objects.equals(m.executionId(), executionId)) {
          switch (m.event()) {
            case HistoryEvent.TaskCompleted c -> open.add(c.taskScheduledId());
            case HistoryEvent.TaskFailed f -> open.add(f.taskScheduledId());
            case HistoryEvent.SubOrchestrationInstanceCompleted c -> open.add(c.taskScheduledId());
            case HistoryEvent.SubOrchestrationInstanceFailed f -> open.add(f.taskScheduledId());
            default -> {}
          }
        }
      }
    }
    return open;
  }

  /** Up to {@code limit} matching rows after {@code after} (if not null), in query order. */
  List<InstanceRecord> query(
      InstanceFilter filter, boolean newestFirst, PageCursor after, int limit) {
    Comparator<InstanceRecord> order = newestFirst ? QUERY_ORDER.reversed() : QUERY_ORDER;
    return instances.values().stream()
        .map(s -> s.record)
        .filter(filter::matches)
        .filter(r -> after == null || isPast(r, after, newestFirst))
        .sorted(order)
        .limit(limit)
        .toList();
  }

  Map<OrchestrationStatus, Long> countByStatus(InstanceFilter filter) {
    Map<OrchestrationStatus, Long> counts = new EnumMap<>(OrchestrationStatus.class);
    for (StoredInstance s : instances.values()) {
      if (filter.matches(s.record)) {
        counts.merge(s.record.status(), 1L, Long::sum);
      }
    }
    return counts;
  }

  /** Whether {@code r} comes after the cursor's row in the query's order. */
  private static boolean isPast(InstanceRecord r, PageCursor cursor, boolean newestFirst) {
    int byTime = r.createdAt().compareTo(cursor.createdAt());
    int compared = byTime != 0 ? byTime : r.instanceId().compareTo(cursor.instanceId());
    return newestFirst ? compared < 0 : compared > 0;
  }

  List<DeadLetter> deadLetters(String instanceId, long afterId, int limit) {
    return deadLetters.tailMap(afterId, false).values().stream()
        .filter(d -> instanceId == null || d.instanceId().equals(instanceId))
        .limit(limit)
        .toList();
  }

  // ---- hand-out ----

  /**
   * The locked instance with its visible messages, each delivery counted (so that an episode that
   * fails counts); empty, and unlocked, on a stale signal.
   */
  Optional<OrchestrationWorkItem> workItem(LocalDispatcher.Lease lease) {
    String id = lease.instanceId();
    StoredInstance s = instances.get(id);
    Instant now = clock.instant();
    List<InboxMessage> visible =
        s == null
            ? List.of()
            : s.inbox.values().stream().filter(m -> !m.visibleAt().isAfter(now)).toList();
    if (visible.isEmpty()) {
      dispatcher.release(id, lease.token(), false, null);
      return Optional.empty();
    }
    for (InboxMessage m : visible) {
      s.inbox.put(m.id(), withDeliveryCount(m, m.deliveryCount() + 1));
    }
    handOuts.put(id, new HandOut(lease.token(), visible.stream().map(InboxMessage::id).toList()));
    return Optional.of(new OrchestrationWorkItem(s.record, visible, lease.token()));
  }

  /** Locks a task the dispatcher handed out; empty if it is gone (purged, instance replaced). */
  Optional<ActivityWorkItem> lockTask(long taskId) {
    StoredTask t = tasks.get(taskId);
    if (t == null || t.lockToken != 0) {
      return Optional.empty();
    }
    t.lockToken = ++lastActivityToken;
    return Optional.of(new ActivityWorkItem(taskId, t.task, t.deliveryCount++, t.lockToken));
  }

  private static InboxMessage withDeliveryCount(InboxMessage m, int count) {
    return new InboxMessage(
        m.id(), m.instanceId(), m.executionId(), m.visibleAt(), m.event(), count);
  }

  // ---- instance rows ----

  @Override
  public Optional<OrchestrationStatus> statusForMessage(String instanceId) {
    return instance(instanceId).map(InstanceRecord::status);
  }

  @Override
  public Optional<OrchestrationStatus> lockForDelete(String instanceId) {
    return statusForMessage(instanceId);
  }

  @Override
  public boolean insertInstance(InstanceRecord row) {
    return instances.putIfAbsent(row.instanceId(), new StoredInstance(row)) == null;
  }

  @Override
  public void replaceInstance(InstanceRecord row) {
    instances.get(row.instanceId()).record = row;
  }

  @Override
  public OptionalInt lockForCheckpoint(String instanceId, long lockToken) {
    if (!dispatcher.holds(instanceId, lockToken)) {
      return OptionalInt.empty();
    }
    StoredInstance s = instances.get(instanceId);
    return OptionalInt.of(s == null ? 0 : s.history.size());
  }

  @Override
  public void updateInstance(InstanceRecord row) {
    instances.computeIfAbsent(row.instanceId(), id -> new StoredInstance(row)).record = row;
  }

  @Override
  public void deleteInstanceData(String instanceId, Set<InstancePart> parts) {
    StoredInstance s = instances.get(instanceId);
    for (InstancePart part : parts) {
      switch (part) {
        case ROW -> instances.remove(instanceId);
        case HISTORY -> {
          if (s != null) {
            s.history.clear();
          }
        }
        case INBOX -> {
          if (s != null) {
            s.inbox.clear();
          }
        }
        case TASKS -> tasks.values().removeIf(t -> t.task.instanceId().equals(instanceId));
        case DEAD_LETTERS -> deadLetters.values().removeIf(d -> d.instanceId().equals(instanceId));
      }
    }
  }

  @Override
  public List<String> lockTerminalInstances(InstanceFilter filter, int limit) {
    return instances.values().stream()
        .map(s -> s.record)
        .filter(r -> r.status().isTerminal() && filter.matches(r))
        .map(InstanceRecord::instanceId)
        .limit(limit)
        .toList();
  }

  @Override
  public void appendHistory(String instanceId, int firstIndex, List<HistoryEvent> events) {
    instances.get(instanceId).history.addAll(events);
  }

  // ---- inbox ----

  @Override
  public void insertMessage(NewMessage m, Instant visibleAt) {
    long id = ++lastMessageId;
    instances
        .get(m.instanceId())
        .inbox
        .put(id, new InboxMessage(id, m.instanceId(), m.executionId(), visibleAt, m.event(), 0));
    dispatcher.signalInstance(m.instanceId(), visibleAt);
  }

  @Override
  public boolean insertMessageIfInstanceExists(NewMessage message, Instant visibleAt) {
    if (!instances.containsKey(message.instanceId())) {
      return false;
    }
    insertMessage(message, visibleAt);
    return true;
  }

  @Override
  public boolean hasMessage(String instanceId, Instant at) {
    StoredInstance s = instances.get(instanceId);
    return s != null
        && s.inbox.values().stream().anyMatch(m -> at == null || !m.visibleAt().isAfter(at));
  }

  @Override
  public void removeMessages(
      String instanceId, List<Long> messageIds, boolean deadLetter, String reason, Instant now) {
    StoredInstance s = instances.get(instanceId);
    for (long messageId : messageIds) {
      InboxMessage consumed = s == null ? null : s.inbox.remove(messageId);
      if (consumed != null && deadLetter) {
        insertDeadLetter(DeadLetter.ofMessage(consumed, now, reason));
      }
    }
  }

  @Override
  public List<Long> handedOut(String instanceId, long lockToken) {
    HandOut handOut = handOuts.get(instanceId);
    return handOut != null && handOut.token() == lockToken ? handOut.messageIds() : List.of();
  }

  @Override
  public void uncountDeliveries(String instanceId, Collection<Long> messageIds) {
    StoredInstance s = instances.get(instanceId);
    for (long messageId : messageIds) {
      s.inbox.computeIfPresent(
          messageId, (k, m) -> withDeliveryCount(m, Math.max(0, m.deliveryCount() - 1)));
    }
  }

  // ---- activity tasks ----

  @Override
  public void insertTasks(List<ActivityTask> newTasks) {
    for (ActivityTask task : newTasks) {
      long id = ++lastTaskId;
      tasks.put(id, new StoredTask(task));
      dispatcher.signalActivity(id);
    }
  }

  @Override
  public boolean completeTask(ActivityWorkItem item, NewMessage result, Instant visibleAt) {
    StoredTask t = tasks.get(item.id());
    if (t == null || t.lockToken != item.lockToken()) {
      return false;
    }
    tasks.remove(item.id());
    insertMessageIfInstanceExists(result, visibleAt);
    return true;
  }

  @Override
  public boolean releaseTask(ActivityWorkItem item, boolean uncountDelivery) {
    StoredTask t = tasks.get(item.id());
    if (t == null || t.lockToken != item.lockToken()) {
      return false;
    }
    t.lockToken = 0;
    if (uncountDelivery) {
      t.deliveryCount = Math.max(0, t.deliveryCount - 1);
    }
    dispatcher.signalActivity(item.id());
    return true;
  }

  // ---- dead letters ----

  @Override
  public void insertDeadLetter(DeadLetter letter) {
    long id = ++lastDeadLetterId;
    deadLetters.put(
        id,
        new DeadLetter(
            id,
            letter.kind(),
            letter.sourceId(),
            letter.instanceId(),
            letter.executionId(),
            letter.event(),
            letter.deliveryCount(),
            letter.deadLetteredAt(),
            letter.reason()));
  }

  @Override
  public Optional<DeadLetter> lockDeadLetter(long deadLetterId) {
    return Optional.ofNullable(deadLetters.get(deadLetterId));
  }

  @Override
  public void deleteDeadLetter(long deadLetterId) {
    deadLetters.remove(deadLetterId);
  }

  // ---- instance locks and wake-ups ----

  @Override
  public void release(String instanceId, long lockToken, Duration delay) {
    if (dispatcher.holds(instanceId, lockToken)) {
      unlock(instanceId, lockToken, true, delay);
    }
  }

  @Override
  public void releaseAfterCheckpoint(String instanceId, long lockToken, Instant now) {
    unlock(instanceId, lockToken, hasMessage(instanceId, now), null);
  }

  private void unlock(String instanceId, long lockToken, boolean moreWork, Duration delay) {
    handOuts.computeIfPresent(instanceId, (id, h) -> h.token() == lockToken ? null : h);
    dispatcher.release(instanceId, lockToken, moreWork, delay);
  }

  @Override
  public void instanceChanged(String instanceId, OrchestrationStatus status) {
    changed.put(instanceId, new Change(status, null));
  }

  @Override
  public void instanceChanged(InstanceRecord row) {
    changed.put(row.instanceId(), new Change(row.status(), row)); // stored as it is
  }
}
