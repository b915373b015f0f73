package dev.fermata.internal.entities;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.CorruptRecordException;
import dev.fermata.spi.HistoryCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * An entity's scheduling state, kept as JSON in its row next to the user's state: who holds its
 * lock, and the messages from other senders deferred until the lock is released (in arrival order).
 * Mutable; one batch owns it.
 */
public final class SchedulerState {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The stored form; queued messages are in {@link HistoryCodec}'s form. */
  record Stored(String lockedBy, String lockExecutionId, List<String> queue) {}

  private String lockedBy;
  private String lockExecutionId;
  private final List<HistoryEvent> queue = new ArrayList<>();

  /** Reads the state from an entity row's {@code customStatus} (null means empty). */
  public static SchedulerState read(String json) {
    SchedulerState s = new SchedulerState();
    if (json == null) {
      return s;
    }
    try {
      Stored stored = MAPPER.readValue(json, Stored.class);
      s.lockedBy = stored.lockedBy();
      s.lockExecutionId = stored.lockExecutionId();
      if (stored.queue() != null) {
        stored.queue().forEach(m -> s.queue.add(HistoryCodec.decode(m)));
      }
      return s;
    } catch (JsonProcessingException e) {
      throw new CorruptRecordException("unreadable entity scheduler state: " + json, e);
    }
  }

  /** The JSON to store, or null when there is no lock and nothing queued. */
  String toJson() {
    if (isEmpty()) {
      return null;
    }
    try {
      return MAPPER.writeValueAsString(
          new Stored(lockedBy, lockExecutionId, queue.stream().map(HistoryCodec::encode).toList()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write entity scheduler state", e);
    }
  }

  boolean isEmpty() {
    return lockedBy == null && queue.isEmpty();
  }

  /** The orchestration instance holding the lock, or null. */
  public String lockedBy() {
    return lockedBy;
  }

  /** The execution of {@link #lockedBy()} that holds the lock. */
  public String lockExecutionId() {
    return lockExecutionId;
  }

  /** How many messages wait for the lock to be released. */
  public int queued() {
    return queue.size();
  }

  void lock(String holder, String executionId) {
    lockedBy = holder;
    lockExecutionId = executionId;
  }

  /** Releases the lock and returns the deferred messages, oldest first (the queue is emptied). */
  List<HistoryEvent> unlock() {
    lockedBy = null;
    lockExecutionId = null;
    List<HistoryEvent> deferred = List.copyOf(queue);
    queue.clear();
    return deferred;
  }

  void defer(HistoryEvent message) {
    queue.add(message);
  }
}
