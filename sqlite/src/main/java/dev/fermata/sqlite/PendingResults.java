package dev.fermata.sqlite;

import dev.fermata.FailureDetails;
import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.HeldResult;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.InboxMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Activity results held in memory until the next checkpoint of their instance records them: an
 * activity step then costs one durable write (the checkpoint that deletes the task and appends the
 * result to the history) instead of three (the result into the inbox, the hand-out's delivery
 * count, the checkpoint that consumes it).
 *
 * <p>Nothing is lost by a crash: the task's row stays in the database, locked only in memory, until
 * the checkpoint that consumes its result deletes it in the same transaction; after a crash the
 * task runs again (activities are at-least-once) and its result is delivered then. A graceful close
 * writes the results still held into the inbox, as a durable completion would have.
 *
 * <p>Two bounds keep what is held small: a count (the store's {@code maxHeldResults}, which also
 * bounds how many finished activities a crash makes run again) and memory. A result larger than
 * {@link #MAX_HELD_RESULT_CHARS} is never held, since its write costs little beside its size; and
 * the results held take at most {@link #MAX_HELD_CHARS} together. Past either bound, results are
 * written as they come.
 *
 * <p>How a held result is handed out and counted is {@link HeldResult}'s.
 */
final class PendingResults {
  /** The largest result held, in characters of its value or failure; larger ones are written. */
  static final int MAX_HELD_RESULT_CHARS = 64 * 1024;

  /** The most characters the held results take together: 8 Mi, 16 MiB at worst. */
  static final long MAX_HELD_CHARS = 8L * 1024 * 1024;

  private final Map<String, LinkedHashMap<Long, HeldResult>> byInstance = new HashMap<>();
  private final int capacity;
  private int size;
  private long chars;

  /** Holds up to {@code capacity} results at once (and no more than the memory bound allows). */
  PendingResults(int capacity) {
    this.capacity = capacity;
  }

  /** What {@link #add} did with a result. */
  enum Added {
    HELD,
    /** A result is held for the task already. */
    DUPLICATE,
    /** Nothing held: as many results, or as much, as allowed are held already, or it is large. */
    FULL
  }

  synchronized Added add(ActivityWorkItem item, HistoryEvent result, Instant receivedAt) {
    String instanceId = item.task().instanceId();
    Map<Long, HeldResult> held = byInstance.get(instanceId);
    if (held != null && held.containsKey(item.id())) {
      return Added.DUPLICATE;
    }
    long resultChars = charsOf(result);
    if (size >= capacity
        || resultChars > MAX_HELD_RESULT_CHARS
        || chars + resultChars > MAX_HELD_CHARS) {
      return Added.FULL;
    }
    byInstance
        .computeIfAbsent(instanceId, id -> new LinkedHashMap<>())
        .put(item.id(), HeldResult.received(item, result, receivedAt));
    size++;
    chars += resultChars;
    return Added.HELD;
  }

  /** The instance's held results as messages, each delivery counted (in arrival order). */
  synchronized List<InboxMessage> handOut(String instanceId) {
    Map<Long, HeldResult> held = byInstance.get(instanceId);
    if (held == null) {
      return List.of();
    }
    List<InboxMessage> messages = new ArrayList<>(held.size());
    held.replaceAll(
        (taskId, p) -> {
          messages.add(p.message());
          return p.handedOut();
        });
    return messages;
  }

  /** Takes back the delivery counted at hand-out for results an episode left unconsumed. */
  synchronized void uncount(String instanceId, long taskId) {
    Map<Long, HeldResult> held = byInstance.get(instanceId);
    if (held != null) {
      held.computeIfPresent(taskId, (id, p) -> p.uncounted());
    }
  }

  /** The held result of a task, or null. */
  synchronized HeldResult get(String instanceId, long taskId) {
    Map<Long, HeldResult> held = byInstance.get(instanceId);
    return held == null ? null : held.get(taskId);
  }

  /** True if the instance has a held result other than those of {@code exceptTasks}. */
  synchronized boolean hasAny(String instanceId, Collection<Long> exceptTasks) {
    Map<Long, HeldResult> held = byInstance.get(instanceId);
    return held != null && !exceptTasks.containsAll(held.keySet());
  }

  /** Forgets a recorded (or dropped) result; returns it, or null if it was not held. */
  synchronized HeldResult remove(String instanceId, long taskId) {
    Map<Long, HeldResult> held = byInstance.get(instanceId);
    if (held == null) {
      return null;
    }
    HeldResult removed = held.remove(taskId);
    if (removed != null) {
      size--;
      chars -= charsOf(removed.result());
    }
    if (held.isEmpty()) {
      byInstance.remove(instanceId);
    }
    return removed;
  }

  /** Forgets every result held for the instance (purged or replaced); returns them. */
  synchronized List<HeldResult> removeInstance(String instanceId) {
    Map<Long, HeldResult> held = byInstance.remove(instanceId);
    if (held == null) {
      return List.of();
    }
    size -= held.size();
    for (HeldResult r : held.values()) {
      chars -= charsOf(r.result());
    }
    return List.copyOf(held.values());
  }

  /** Takes every held result (to write them at close). */
  synchronized List<HeldResult> drain() {
    List<HeldResult> all = new ArrayList<>();
    byInstance.values().forEach(held -> all.addAll(held.values()));
    byInstance.clear();
    size = 0;
    chars = 0;
    return all;
  }

  /** How many characters of results are held (for tests). */
  synchronized long heldChars() {
    return chars;
  }

  /** The characters a result's value, or its failure with every cause, takes in memory. */
  static long charsOf(HistoryEvent result) {
    return switch (result) {
      case HistoryEvent.TaskCompleted done -> length(done.result());
      case HistoryEvent.TaskFailed failed -> charsOf(failed.failure());
      default -> 0;
    };
  }

  private static long charsOf(FailureDetails failure) {
    long total = 0;
    for (FailureDetails f = failure; f != null; f = f.innerFailure()) {
      total += length(f.errorType()) + length(f.errorMessage()) + length(f.stackTrace());
    }
    return total;
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }
}
