package dev.fermata.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The work this worker holds: instances in an episode (with the inbox messages handed out to it)
 * and running activity tasks, each with its lock token. Their leases are renewed while they are
 * held; a lease that could not be renewed because another worker took the work over is dropped.
 */
final class Leases {
  private record HeldInstance(long token, List<Long> messageIds) {}

  private final Map<String, HeldInstance> instances = new ConcurrentHashMap<>();
  private final Map<Long, Long> tasks = new ConcurrentHashMap<>();

  void holdInstance(String instanceId, long token, List<Long> messageIds) {
    instances.put(instanceId, new HeldInstance(token, List.copyOf(messageIds)));
  }

  /** The messages handed out with the lock {@code token}, or none if it is not held. */
  List<Long> handedOut(String instanceId, long token) {
    HeldInstance held = instances.get(instanceId);
    return held != null && held.token() == token ? held.messageIds() : List.of();
  }

  void forgetInstance(String instanceId, long token) {
    instances.computeIfPresent(instanceId, (id, held) -> held.token() == token ? null : held);
  }

  void holdTask(long taskId, long token) {
    tasks.put(taskId, token);
  }

  void forgetTask(long taskId, long token) {
    tasks.remove(taskId, token);
  }

  int heldCount() {
    return instances.size() + tasks.size();
  }

  /**
   * Extends every held lease to {@code lockedUntil}. Work whose lease is no longer this worker's
   * (it expired and was taken over) is dropped: its checkpoint or result will be refused anyway.
   */
  void renew(Connection db, String workerId, long lockedUntil) throws SQLException {
    Set<Long> instanceTokens = new HashSet<>();
    instances.values().forEach(h -> instanceTokens.add(h.token()));
    Set<Long> kept = renew(db, "instances", workerId, lockedUntil, instanceTokens);
    instances
        .values()
        .removeIf(h -> instanceTokens.contains(h.token()) && !kept.contains(h.token()));
    Set<Long> taskTokens = new HashSet<>(tasks.values());
    Set<Long> keptTasks = renew(db, "tasks", workerId, lockedUntil, taskTokens);
    tasks.values().removeIf(t -> taskTokens.contains(t) && !keptTasks.contains(t));
  }

  /** {@code table} is "instances" or "tasks"; returns the tokens whose lease was extended. */
  private static Set<Long> renew(
      Connection db, String table, String workerId, long lockedUntil, Set<Long> tokens)
      throws SQLException {
    Set<Long> renewed = new HashSet<>();
    if (tokens.isEmpty()) {
      return renewed;
    }
    try (PreparedStatement update =
        db.prepareStatement(
            "UPDATE "
                + table
                + " SET locked_until = ? WHERE locked_by = ? AND lock_token = ANY (?)"
                + " RETURNING lock_token")) {
      update.setLong(1, lockedUntil);
      update.setString(2, workerId);
      update.setArray(3, db.createArrayOf("bigint", tokens.toArray()));
      try (ResultSet rows = update.executeQuery()) {
        while (rows.next()) {
          renewed.add(rows.getLong(1));
        }
      }
    }
    return renewed;
  }
}
