package dev.fermata.sqlite;

import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Instances whose next hand-out needs no read, with what the read would find. Two kinds:
 *
 * <ul>
 *   <li><b>Created here</b>: the row as inserted, the start message, and no history yet. Until its
 *       first episode only messages can reach a new instance (purge and replace need a finished
 *       one, every other change is a checkpoint, which needs the lock).
 *   <li><b>Settled</b>: the instance's last checkpoint, committed here, left it no inbox message at
 *       all (none visible and no timer, which is an inbox row from the moment it is scheduled). Its
 *       work can then only be results held in memory ({@link PendingResults}), as in a chain of
 *       activities; the row is the one that checkpoint wrote.
 * </ul>
 *
 * <p>Every other write that touches the instance (a message, a new or replaced row, an update, a
 * purge) forgets it once it commits, and a hand-out takes it out, so each entry serves one
 * hand-out. A message whose commit has not yet made the instance forgotten may miss the hand-out
 * that takes the entry; its commit then signals the instance, which is locked, so the instance is
 * dispatched again once that episode's checkpoint is done, and the next hand-out reads the message:
 * late by one episode, never lost.
 */
final class HandOutsFromMemory {
  /**
   * Entries held at most; beyond, the oldest is dropped and its instance read at hand-out (a burst
   * of starts, or instances waiting long for an event, must not crowd out the ones stepping now).
   */
  static final int LIMIT = 4_096;

  /** Rows with more characters than this in their input and custom status are read, not held. */
  static final int MAX_HELD_CHARS = 64 * 1024;

  /** What a hand-out takes instead of reading: the row, the inbox messages, an empty history. */
  record Known(InstanceRecord row, List<InboxMessage> messages, boolean historyEmpty) {}

  private final Map<String, Known> entries =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
          return size() > LIMIT;
        }
      };

  /** Whether {@code row} is small enough to hold. */
  static boolean mayHold(InstanceRecord row) {
    return chars(row.input()) + chars(row.customStatus()) <= MAX_HELD_CHARS;
  }

  /** After the commit that created the instance, before any worker is woken for it. */
  void created(InstanceRecord row, InboxMessage start) {
    put(new Known(row, List.of(start), true));
  }

  /** After the commit of a checkpoint that left the instance no message; {@code row} as stored. */
  void settled(InstanceRecord row) {
    if (row.status().isTerminal() || !mayHold(row)) {
      forget(row.instanceId());
    } else {
      put(new Known(row, List.of(), false));
    }
  }

  /** After the commit of any other write that touches the instance. */
  synchronized void forget(String instanceId) {
    if (!entries.isEmpty()) {
      entries.remove(instanceId);
    }
  }

  /** What the instance's hand-out needs, or null if it must read. */
  synchronized Known take(String instanceId) {
    return entries.remove(instanceId);
  }

  synchronized int size() {
    return entries.size();
  }

  private synchronized void put(Known known) {
    entries.remove(known.row().instanceId()); // to the end of the order: the newest
    entries.put(known.row().instanceId(), known);
  }

  private static int chars(String s) {
    return s == null ? 0 : s.length();
  }
}
