package dev.fermata.postgres;

import dev.fermata.history.HistoryEvent;
import dev.fermata.jdbc.HeldResult;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.OrchestrationWorkItem;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * Instances this worker keeps locked between their episodes, while activity tasks it locked for
 * itself run: a step then costs one transaction (the checkpoint) instead of four (the task's claim,
 * its result, the instance's claim and the checkpoint).
 *
 * <p>A checkpoint that schedules activities locks the new tasks for this worker (they are handed to
 * its own activity threads, with no claim) and keeps the instance's lease, with the same lock
 * token, instead of releasing it. A result of such a task is held here, in memory, and the instance
 * is handed out again from here (no result write, no claim); the next checkpoint deletes the task
 * and records the result in one transaction. Messages other workers send to a kept instance are
 * claimed by this worker only (the claim looks at the instances it keeps, see {@link WorkHandOut}).
 *
 * <p>Nothing is lost by a crash: the task rows stay in the database, locked under a lease, until
 * the checkpoint that records their results; when the leases run out, other workers take the
 * instance and the tasks over, and the tasks run again (activities are at-least-once). When this
 * worker stops keeping an instance without a checkpoint (a refused checkpoint, an abandoned
 * episode, a lost lease, a close), the results it holds are written as ordinary results ({@link
 * #drop}).
 *
 * <p>How a held result is handed out and counted is {@link HeldResult}'s.
 */
final class LocalSteps {
  /**
   * Tasks locked for this worker's own threads and not finished yet, at most: beyond that, new
   * tasks go to the shared queue, where any worker may take them (a fan-out is not held back behind
   * one worker's threads).
   */
  static final int LOCAL_TASK_LIMIT = 32;

  /** Where a kept instance is: between episodes, being claimed, or in an episode. */
  private enum Phase {
    IDLE,
    CLAIMING,
    IN_EPISODE
  }

  private static final class Kept {
    final long token;
    InstanceRecord instance;
    Phase phase = Phase.IN_EPISODE;
    int running;
    final LinkedHashMap<Long, HeldResult> results = new LinkedHashMap<>();

    Kept(long token) {
      this.token = token;
    }
  }

  /** What a checkpoint of a kept (or newly kept) instance may do, decided before it runs. */
  record Plan(boolean keep, int localTasks) {
    static final Plan RELEASE = new Plan(false, 0);
  }

  private final Map<String, Kept> kept = new HashMap<>();
  private final Queue<String> ready = new ArrayDeque<>();

  /**
   * Decides whether the checkpoint of {@code instanceId} (in an episode with lock {@code token})
   * keeps the instance, and how many of its {@code newTasks} this worker locks for itself.
   *
   * @param consumedResults how many held results the checkpoint records
   * @param terminal true if the instance ends with this checkpoint
   * @param runsActivities false if this worker has no activity threads (nothing is run locally)
   */
  synchronized Plan plan(
      String instanceId,
      long token,
      int newTasks,
      int consumedResults,
      boolean terminal,
      boolean runsActivities) {
    if (terminal) {
      return Plan.RELEASE;
    }
    Kept k = kept.get(instanceId);
    int outstanding = 0;
    if (k != null && k.token == token) {
      outstanding = k.running + k.results.size() - consumedResults;
    }
    int running = kept.values().stream().mapToInt(other -> other.running).sum();
    int local = runsActivities ? Math.clamp(LOCAL_TASK_LIMIT - running, 0, newTasks) : 0;
    return outstanding + local > 0 ? new Plan(true, local) : Plan.RELEASE;
  }

  /**
   * After a committed checkpoint that kept the instance: records the tasks locked for this worker
   * and forgets the results the checkpoint recorded. The instance is handed out again at once if
   * results arrived during the episode.
   */
  synchronized void kept(
      String instanceId,
      long token,
      InstanceRecord instance,
      int newLocalTasks,
      Collection<Long> recordedTaskIds) {
    Kept k = kept.get(instanceId);
    if (k == null || k.token != token) { // none yet, or a stale one whose lock is gone
      k = new Kept(token);
      kept.put(instanceId, k);
    }
    k.instance = instance;
    k.running += newLocalTasks;
    recordedTaskIds.forEach(k.results::remove);
    k.phase = Phase.IDLE;
    if (!k.results.isEmpty()) {
      ready.add(instanceId);
    }
  }

  /**
   * Holds the result of a task this worker locked for itself while keeping its instance.
   *
   * @return false if the instance is not kept with the task's token: the result must be written
   */
  synchronized boolean hold(ActivityWorkItem item, HistoryEvent result, Instant receivedAt) {
    String instanceId = item.task().instanceId();
    Kept k = kept.get(instanceId);
    if (k == null || k.token != item.lockToken() || k.results.containsKey(item.id())) {
      return false;
    }
    k.results.put(item.id(), HeldResult.received(item, result, receivedAt));
    k.running = Math.max(0, k.running - 1);
    if (k.phase == Phase.IDLE) {
      ready.add(instanceId);
    }
    return true;
  }

  /** A locally locked task that will not report a result here (abandoned or written). */
  synchronized void taskEnded(ActivityWorkItem item) {
    Kept k = kept.get(item.task().instanceId());
    if (k != null && k.token == item.lockToken() && k.running > 0) {
      k.running--;
    }
  }

  /** The next kept instance with held results and no episode running, as a work item. */
  synchronized OrchestrationWorkItem nextReady() {
    String instanceId;
    while ((instanceId = ready.poll()) != null) {
      Kept k = kept.get(instanceId);
      if (k != null && k.phase == Phase.IDLE && !k.results.isEmpty()) {
        k.phase = Phase.IN_EPISODE;
        return new OrchestrationWorkItem(k.instance, handOut(k), k.token);
      }
    }
    return null;
  }

  /**
   * The kept instances between episodes (id to token), which a claim may take with their inbox
   * messages; they are not handed out from here until {@link #claimed} says what the claim took.
   */
  synchronized Map<String, Long> beginClaim() {
    Map<String, Long> idle = new HashMap<>();
    kept.forEach(
        (id, k) -> {
          if (k.phase == Phase.IDLE) {
            k.phase = Phase.CLAIMING;
            idle.put(id, k.token);
          }
        });
    return idle;
  }

  /**
   * Ends a claim begun by {@link #beginClaim}: the instances in {@code taken} (claimed with their
   * messages) are in an episode now, with their held results, which are returned by instance; the
   * others are between episodes again.
   */
  synchronized Map<String, List<InboxMessage>> claimed(
      Collection<String> claiming, Collection<String> taken) {
    Map<String, List<InboxMessage>> results = new HashMap<>();
    for (String id : claiming) {
      Kept k = kept.get(id);
      if (k == null || k.phase != Phase.CLAIMING) {
        continue;
      }
      if (taken.contains(id)) {
        k.phase = Phase.IN_EPISODE;
        results.put(id, handOut(k));
      } else {
        k.phase = Phase.IDLE;
        if (!k.results.isEmpty()) {
          ready.add(id);
        }
      }
    }
    return results;
  }

  /** The held results as messages, each delivery counted (in arrival order). */
  private static List<InboxMessage> handOut(Kept k) {
    List<InboxMessage> messages = new ArrayList<>(k.results.size());
    k.results.replaceAll(
        (taskId, held) -> {
          messages.add(held.message());
          return held.handedOut();
        });
    return messages;
  }

  /** Takes back the delivery counted at hand-out for a result an episode left unconsumed. */
  synchronized void uncount(String instanceId, long taskId) {
    Kept k = kept.get(instanceId);
    if (k != null) {
      k.results.computeIfPresent(taskId, (id, held) -> held.uncounted());
    }
  }

  /** The held result of a task, or null. */
  synchronized HeldResult get(String instanceId, long taskId) {
    Kept k = kept.get(instanceId);
    return k == null ? null : k.results.get(taskId);
  }

  /** True if the instance is kept with {@code token}. */
  synchronized boolean isKept(String instanceId, long token) {
    Kept k = kept.get(instanceId);
    return k != null && k.token == token;
  }

  /** The ids of the instances kept with their tokens. */
  synchronized Map<String, Long> keptInstances() {
    Map<String, Long> tokens = new HashMap<>();
    kept.forEach((id, k) -> tokens.put(id, k.token));
    return tokens;
  }

  /**
   * Stops keeping the instance (if kept with {@code token}); returns the results held for it, which
   * the caller writes as ordinary results. Tasks still running report their results as ordinary
   * ones.
   */
  synchronized List<HeldResult> drop(String instanceId, long token) {
    Kept k = kept.get(instanceId);
    if (k == null || k.token != token) {
      return List.of();
    }
    kept.remove(instanceId);
    return List.copyOf(k.results.values());
  }

  /** Stops keeping every instance; returns all held results (to write them at close). */
  synchronized List<HeldResult> dropAll() {
    List<HeldResult> all = new ArrayList<>();
    kept.values().forEach(k -> all.addAll(k.results.values()));
    kept.clear();
    ready.clear();
    return all;
  }
}
