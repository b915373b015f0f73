package dev.fermata.sqlite;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The locks a single-process store keeps in memory beside the dispatcher's instance locks: which
 * activity tasks are running under which token, and which messages each instance lock was handed. A
 * crash forgets them all, which releases everything, as recovery expects.
 */
final class Locks {
  private record HandOut(long token, List<Long> messageIds) {}

  private record TaskLock(long token, String instanceId) {}

  // Random start: a token from before a restart in the same process never matches a new lock.
  private final AtomicLong nextTaskToken =
      new AtomicLong(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2));
  private final ConcurrentHashMap<Long, TaskLock> taskLocks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, HandOut> handOuts = new ConcurrentHashMap<>();

  /** Locks a task of the instance; returns its token, or 0 if it is locked already. */
  long lockTask(long taskId, String instanceId) {
    long token = nextTaskToken.getAndIncrement();
    return taskLocks.putIfAbsent(taskId, new TaskLock(token, instanceId)) == null ? token : 0;
  }

  boolean holdsTask(long taskId, long token) {
    TaskLock current = taskLocks.get(taskId);
    return current != null && current.token() == token;
  }

  void unlockTask(long taskId, long token) {
    taskLocks.computeIfPresent(taskId, (id, lock) -> lock.token() == token ? null : lock);
  }

  /** Voids the locks on the instance's tasks: their rows are gone (purged, or replaced). */
  void unlockTasksOf(String instanceId) {
    taskLocks.values().removeIf(lock -> lock.instanceId().equals(instanceId));
  }

  void recordHandOut(String instanceId, long token, List<Long> messageIds) {
    handOuts.put(instanceId, new HandOut(token, List.copyOf(messageIds)));
  }

  /** The ids of the messages handed out under this lock; empty if it is not the current one. */
  List<Long> handedOut(String instanceId, long token) {
    HandOut handOut = handOuts.get(instanceId);
    return handOut != null && handOut.token() == token ? handOut.messageIds() : List.of();
  }

  void forgetHandOut(String instanceId, long token) {
    handOuts.computeIfPresent(instanceId, (id, h) -> h.token() == token ? null : h);
  }
}
