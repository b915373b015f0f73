package dev.fermata.sqlite;

import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.OrchestrationWorkItem;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Instances created by this store and not handed out yet, with their start messages: the first
 * hand-out of such an instance reads nothing, and its episode reads no history (there is none).
 *
 * <p>Until its first episode, only messages can reach a new instance (purge and replace need a
 * finished one, and every other change is a checkpoint, which needs the lock), so the row as
 * inserted is still the row. A message that arrives meanwhile makes the first hand-out read the
 * inbox as usual ({@link #forget}); if the instance was taken just before, the checkpoint of its
 * first episode finds the message and queues the instance again.
 */
final class NewInstances {
  /**
   * New instances held at most; beyond that (a burst of starts, or a process that starts instances
   * but runs no orchestrations) they are read at hand-out as usual.
   */
  static final int LIMIT = 4_096;

  /**
   * Inputs larger than this (in characters) are not held: a burst of starts with large inputs would
   * otherwise keep up to {@link #LIMIT} copies in memory; such instances are read at hand-out.
   */
  static final int MAX_HELD_INPUT = 64 * 1024;

  private record Started(InstanceRecord instance, InboxMessage start) {}

  private final ConcurrentHashMap<String, Started> started = new ConcurrentHashMap<>();

  /** Whether {@code instance} may be held until its first hand-out. */
  boolean mayHold(InstanceRecord instance) {
    return started.size() < LIMIT
        && (instance.input() == null || instance.input().length() <= MAX_HELD_INPUT);
  }

  /** After the commit that created the instance, before any worker is woken for it. */
  void add(InstanceRecord instance, InboxMessage start) {
    started.put(instance.instanceId(), new Started(instance, start));
  }

  /** The first work item of a new instance locked with {@code lockToken}, or null if not new. */
  OrchestrationWorkItem take(String instanceId, long lockToken) {
    Started s = started.remove(instanceId);
    return s == null
        ? null
        : new OrchestrationWorkItem(s.instance(), List.of(s.start()), lockToken, true);
  }

  /** How many new instances are held now. */
  int size() {
    return started.size();
  }

  /** Another message arrived: the first hand-out reads the instance's inbox. */
  void forget(String instanceId) {
    if (!started.isEmpty()) {
      started.remove(instanceId);
    }
  }
}
