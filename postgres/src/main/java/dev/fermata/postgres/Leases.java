package dev.fermata.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
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

  /** True if the instance's lease with {@code token} is held (and was not lost). */
  boolean holdsInstance(String instanceId, long token) {
    HeldInstance held = instances.get(instanceId);
    return held != null && held.token() == token;
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
    Map<String, Long> heldInstances = new HashMap<>();
    instances.forEach((id, held) -> heldInstances.put(id, held.token()));
    Set<Long> tried = new HashSet<>(heldInstances.values());
    Set<Long> kept =
        renew(db, "instances", "instance_id", "text", heldInstances, workerId, lockedUntil);
    instances.values().removeIf(h -> tried.contains(h.token()) && !kept.contains(h.token()));
    Map<Long, Long> heldTasks = new HashMap<>(tasks);
    Set<Long> triedTasks = new HashSet<>(heldTasks.values());
    Set<Long> keptTasks = renew(db, "tasks", "id", "bigint", heldTasks, workerId, lockedUntil);
    tasks.values().removeIf(t -> triedTasks.contains(t) && !keptTasks.contains(t));
  }

  /**
   * Extends the leases of {@code held} (key to token) in {@code table}, found by their keys (the
   * primary key, so the cost follows the work held, not the table's size); returns the tokens whose
   * lease was extended.
   */
  private static <K> Set<Long> renew(
      Connection db,
      String table,
      String keyColumn,
      String keyType,
      Map<K, Long> held,
      String workerId,
      long lockedUntil)
      throws SQLException {
    Set<Long> renewed = new HashSet<>();
    if (held.isEmpty()) {
      return renewed;
    }
    List<K> keys = List.copyOf(held.keySet());
    try (PreparedStatement update =
        db.prepareStatement(
            "UPDATE "
                + table
                + " t SET locked_until = ? FROM unnest(?::"
                + keyType
                + "[], ?::bigint[]) AS h (k, token) WHERE t."
                + keyColumn
                + " = h.k AND t.lock_token = h.token AND t.locked_by = ? RETURNING t.lock_token")) {
      update.setLong(1, lockedUntil);
      update.setArray(2, db.createArrayOf(keyType, keys.toArray()));
      update.setArray(3, db.createArrayOf("bigint", keys.stream().map(held::get).toArray()));
      update.setString(4, workerId);
      try (ResultSet rows = update.executeQuery()) {
        while (rows.next()) {
          renewed.add(rows.getLong(1));
        }
      }
    }
    return renewed;
  }
}
