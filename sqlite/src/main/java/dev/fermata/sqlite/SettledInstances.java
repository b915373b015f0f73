package dev.fermata.sqlite;

import dev.fermata.spi.InstanceRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Instances whose last checkpoint, committed by this store, left them with no inbox message at all,
 * with their row as that checkpoint wrote it: the next hand-out of such an instance reads nothing.
 * Its work can only be results held in memory ({@link PendingResults}), as in a chain of
 * activities, where every episode but the first would otherwise read the row and find no message.
 *
 * <p>Every other write that touches the instance (a message, a new or replaced row, a purge)
 * forgets it after its commit, and a hand-out takes the row out, so each row serves one hand-out. A
 * message whose commit has not yet made it forget the instance may miss the hand-out that takes the
 * row; its commit then signals the instance, which is locked, so the instance is dispatched again
 * once that episode's checkpoint is done, and the next hand-out reads the message: late by one
 * episode, never lost. Timers need no care: a timer is an inbox row from the moment it is
 * scheduled, so an instance that has one is never settled.
 */
final class SettledInstances {
  /**
   * Rows held at most; beyond, the least recently settled one is dropped (an instance waiting long
   * for an event keeps its row until then, and must not crowd out the ones stepping now).
   */
  static final int LIMIT = 4_096;

  /** Rows with more characters than this in their input and custom status are not held. */
  static final int MAX_HELD_CHARS = 64 * 1024;

  private final Map<String, InstanceRecord> rows =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, InstanceRecord> eldest) {
          return size() > LIMIT;
        }
      };

  /** After the commit of a checkpoint that left the instance no message; {@code row} as stored. */
  synchronized void settle(InstanceRecord row) {
    if (row.status().isTerminal()
        || chars(row.input()) + chars(row.customStatus()) > MAX_HELD_CHARS) {
      rows.remove(row.instanceId());
      return;
    }
    rows.remove(row.instanceId()); // to the end of the order: the most recently settled
    rows.put(row.instanceId(), row);
  }

  /** After the commit of any other write that touches the instance. */
  synchronized void forget(String instanceId) {
    if (!rows.isEmpty()) {
      rows.remove(instanceId);
    }
  }

  /** The row to hand out without a read, or null if the instance must be read. */
  synchronized InstanceRecord take(String instanceId) {
    return rows.remove(instanceId);
  }

  synchronized int size() {
    return rows.size();
  }

  private static int chars(String s) {
    return s == null ? 0 : s.length();
  }
}
