package dev.fermata.postgres;

import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.InstanceRecord;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one transaction tells the other workers: that orchestration work (or a timer) or activity
 * work was enqueued, and which instance rows changed. Sent with {@code pg_notify} inside the
 * transaction, so PostgreSQL delivers them only if it commits.
 *
 * <p>A payload is {@code "<worker id> o <partitions>"} (orchestration work in those partitions,
 * comma-separated; see {@link Partitions}: only their owners act on it), {@code "<worker id> a"},
 * {@code "<worker id> i <status or -> <instance id>"}, or {@code "<worker id> w"} (a worker joined
 * or left: recompute the partitions); a worker ignores its own, which it has acted on directly
 * after the commit.
 */
final class Notices {
  static final String ORCHESTRATIONS = "o";
  static final String ACTIVITIES = "a";
  static final String INSTANCE = "i";
  static final String WORKERS = "w";
  static final String UNKNOWN_STATUS = "-";

  /** Partitions with orchestration work, and those of them announced already. */
  private final Set<Integer> orchestrations = new TreeSet<>();

  private final Set<Integer> orchestrationsSent = new HashSet<>();
  private boolean activities;
  private final Map<String, OrchestrationStatus> changedInstances = new LinkedHashMap<>();
  private final Set<String> toldOthers = new HashSet<>();
  private final Map<String, InstanceRecord> changedRows = new HashMap<>();
  private final Set<String> sent = new HashSet<>();

  /** Orchestration work (or a timer) for {@code instanceId}. */
  void orchestrationWork(String instanceId) {
    orchestrations.add(Partitions.of(instanceId));
  }

  void activityWork() {
    activities = true;
  }

  /**
   * {@code status}: the instance's status after the change, null if unknown (or purged). This
   * worker's own listeners hear of every change; the other workers only if {@code tellOthers}.
   */
  void instanceChanged(String instanceId, OrchestrationStatus status, boolean tellOthers) {
    changedInstances.put(instanceId, status);
    changedRows.remove(instanceId);
    if (tellOthers) {
      toldOthers.add(instanceId);
    } else {
      toldOthers.remove(instanceId);
    }
  }

  /**
   * Like {@link #instanceChanged(String, OrchestrationStatus, boolean)}, with the row as stored.
   */
  void instanceChanged(InstanceRecord row, boolean tellOthers) {
    instanceChanged(row.instanceId(), row.status(), tellOthers);
    changedRows.put(row.instanceId(), row);
  }

  /** The row an instance was last changed to in this transaction, if known; else null. */
  InstanceRecord changedRow(String instanceId) {
    return changedRows.get(instanceId);
  }

  boolean hasOrchestrationWork() {
    return !orchestrations.isEmpty();
  }

  boolean hasActivityWork() {
    return activities;
  }

  Map<String, OrchestrationStatus> changedInstances() {
    return changedInstances;
  }

  /**
   * Orchestration work for {@code instanceId}, announced already by a statement that notified by
   * itself (with {@link #orchestrationWorkPayload}).
   */
  void orchestrationWorkSent(String instanceId) {
    int partition = Partitions.of(instanceId);
    orchestrations.add(partition);
    orchestrationsSent.add(partition);
  }

  /** Adds a statement sending the notices not sent yet to {@code batch}, if there are any. */
  void sendWith(SqlBatch batch, String channel, String workerId) {
    List<String> payloads = takeUnsent(workerId);
    if (payloads.isEmpty()) {
      return;
    }
    batch.add(
        "SELECT pg_notify(?, payload) FROM unnest(?::text[]) AS payload",
        (notify, first) -> {
          notify.setString(first, channel);
          notify.setArray(
              first + 1, notify.getConnection().createArrayOf("text", payloads.toArray()));
          return first + 2;
        });
  }

  /** Tasks a checkpoint inserted locked for its own worker, whose ids it must learn. */
  record LocalTasks(long token, String executionId, List<Integer> taskIds) {}

  /** What the query ending a checkpoint's batch found. */
  record Ending(boolean visible, List<Long> localTaskIds) {}

  /**
   * Runs {@code batch} ending with a query that says whether {@code instanceId} has a message
   * visible at {@code nowMillis}, and that sends the notices not sent yet, plus orchestration work
   * if it has one and {@code announceVisible} (not for an instance this worker keeps locked: no
   * other worker could take it), in the same round trip; with {@code local}, the same query also
   * returns the ids of those tasks, ordered by task id. The caller records orchestration work for a
   * visible message (for this worker's own waiters), and that it is not to be announced again.
   */
  Ending sendEndingBatch(
      SqlBatch batch,
      Connection db,
      String channel,
      String workerId,
      String instanceId,
      long nowMillis,
      LocalTasks local,
      boolean announceVisible)
      throws SQLException {
    List<String> payloads = takeUnsent(workerId);
    batch.add(
        // PostgreSQL delivers a payload sent twice in one transaction once.
        "SELECT v.visible, (SELECT count(pg_notify(?, p)) FROM unnest(?::text[]"
            + " || CASE WHEN v.visible AND ? THEN ARRAY[?::text] ELSE '{}'::text[] END) AS p)"
            + (local == null
                ? ""
                : ", ARRAY(SELECT id FROM tasks WHERE instance_id = ? AND lock_token = ?"
                    + " AND execution_id = ? AND task_id = ANY (?) ORDER BY task_id)")
            + " FROM (SELECT "
            + Tables.HAS_VISIBLE_MESSAGE
            + " AS visible) v",
        (select, first) -> {
          Connection c = select.getConnection();
          select.setString(first, channel);
          select.setArray(first + 1, c.createArrayOf("text", payloads.toArray()));
          select.setBoolean(first + 2, announceVisible);
          select.setString(first + 3, orchestrationWorkPayload(workerId, instanceId));
          int next = first + 4;
          if (local != null) {
            select.setString(next, instanceId);
            select.setLong(next + 1, local.token());
            select.setString(next + 2, local.executionId());
            select.setArray(next + 3, c.createArrayOf("integer", local.taskIds().toArray()));
            next += 4;
          }
          select.setString(next, instanceId);
          select.setLong(next + 1, nowMillis);
          return next + 2;
        });
    return batch.query(
        db,
        row -> {
          row.next();
          List<Long> ids = List.of();
          if (local != null) {
            ids = List.of((Long[]) row.getArray(3).getArray());
          }
          return new Ending(row.getBoolean(1), ids);
        });
  }

  /** The payloads not sent yet, from now on counted as sent. */
  private List<String> takeUnsent(String workerId) {
    List<String> payloads = new ArrayList<>();
    StringBuilder unannounced = new StringBuilder();
    for (int partition : orchestrations) {
      if (orchestrationsSent.add(partition)) {
        unannounced.append(unannounced.isEmpty() ? "" : ",").append(partition);
      }
    }
    if (!unannounced.isEmpty()) {
      payloads.add(workerId + " " + ORCHESTRATIONS + " " + unannounced);
    }
    if (activities) {
      payloads.add(workerId + " " + ACTIVITIES);
    }
    changedInstances.forEach(
        (id, status) -> {
          if (toldOthers.contains(id)) {
            payloads.add(
                workerId
                    + " "
                    + INSTANCE
                    + " "
                    + (status == null ? UNKNOWN_STATUS : status.name())
                    + " "
                    + id);
          }
        });
    payloads.removeAll(sent);
    sent.addAll(payloads);
    return payloads;
  }

  /** The payload announcing orchestration work (or a timer) for {@code instanceId}. */
  static String orchestrationWorkPayload(String workerId, String instanceId) {
    return workerId + " " + ORCHESTRATIONS + " " + Partitions.of(instanceId);
  }

  /** The partitions an orchestration-work payload names; null if it names none (any partition). */
  static int[] partitionsOf(String list) {
    try {
      return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
