package dev.fermata.postgres;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Divides the hub's instances among the workers that run orchestrations, so that they do not
 * contend for the same rows and wake-ups: every instance falls in one of {@value #COUNT} partitions
 * (a hash of its id), and each live worker owns an equal share of them. A worker claims shared work
 * of its own partitions, and only the owner of a partition wakes for a notice of work in it.
 *
 * <p>Ownership only routes work; it guards nothing. The lease of each instance (its lock token)
 * still fences every write, so two workers that briefly disagree about who owns a partition (one
 * has seen a worker join or leave, the other not yet) contend as every worker did before, and a
 * partition nobody owns for a moment loses nothing: any worker claims a message that has waited
 * longer than {@link #STEAL_AFTER_MILLIS}, which also lets idle workers help one that is behind.
 *
 * <p>Who is alive comes from the {@code workers} table: each worker renews its row with its leases,
 * and the live workers, sorted by id, own the partitions round robin. A worker that joins or leaves
 * says so with a notice, and the others recompute at once; a worker that dies drops out once its
 * row expires (one lease duration).
 */
final class Partitions {
  /** Partitions of a hub; divides evenly among 1, 2, 4, 8, 16 and 32 workers. */
  static final int COUNT = 32;

  /**
   * A message visible for this long may be claimed by any worker, whoever owns its instance's
   * partition. An owner takes its work within milliseconds; this is for owners that are behind,
   * gone, or not known yet.
   */
  static final long STEAL_AFTER_MILLIS = 200;

  /**
   * The partition of an instance id column, in SQL: the first four bytes of the MD5 of its UTF-8
   * text, as {@link #of} computes it.
   */
  static String sqlOf(String column) {
    return "((('x' || substr(md5(" + column + "), 1, 8))::bit(32)::int) & " + (COUNT - 1) + ")";
  }

  /** The partition of {@code instanceId}; the same as {@link #sqlOf} in a UTF-8 database. */
  static int of(String instanceId) {
    try {
      byte[] digest =
          MessageDigest.getInstance("MD5").digest(instanceId.getBytes(StandardCharsets.UTF_8));
      return digest[3] & (COUNT - 1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this Java runtime", e);
    }
  }

  private static final String HEARTBEAT =
      "INSERT INTO workers (worker_id, alive_until) VALUES (?, ?) ON CONFLICT (worker_id)"
          + " DO UPDATE SET alive_until = EXCLUDED.alive_until RETURNING (xmax = 0) AS joined";

  private static final String FORGET_DEAD = "DELETE FROM workers WHERE alive_until <= ?";

  private static final String LIVE = "SELECT worker_id FROM workers ORDER BY worker_id";

  private final String workerId;

  /** Owned partitions, one bit each; all of them until this worker has seen who else is alive. */
  private volatile int owned = -1;

  Partitions(String workerId) {
    this.workerId = workerId;
  }

  /** Whether this worker owns {@code partition}; true for one it does not know of. */
  boolean owns(int partition) {
    return partition < 0 || partition >= COUNT || (owned & (1 << partition)) != 0;
  }

  /** The owned partitions, sorted (for SQL parameters). */
  Integer[] owned() {
    int mask = owned;
    return IntStream.range(0, COUNT)
        .filter(p -> (mask & (1 << p)) != 0)
        .boxed()
        .toArray(Integer[]::new);
  }

  /** What a heartbeat found. */
  record Heartbeat(boolean joined, boolean othersLeft, boolean changed) {}

  /**
   * Renews this worker's row until {@code aliveUntil}, forgets workers whose rows expired by {@code
   * now}, and recomputes the owned partitions from the live workers, in the caller's transaction.
   * {@code joined}: this worker's row was new, {@code othersLeft}: rows of others expired (either
   * way, the others should recompute); {@code changed}: the owned partitions changed.
   */
  Heartbeat beat(Connection db, long now, long aliveUntil) throws SQLException {
    boolean joined;
    try (PreparedStatement upsert = db.prepareStatement(HEARTBEAT)) {
      upsert.setString(1, workerId);
      upsert.setLong(2, aliveUntil);
      try (ResultSet row = upsert.executeQuery()) {
        row.next();
        joined = row.getBoolean(1);
      }
    }
    int gone;
    try (PreparedStatement forget = db.prepareStatement(FORGET_DEAD)) {
      forget.setLong(1, now);
      gone = forget.executeUpdate();
    }
    List<String> live = new ArrayList<>();
    try (PreparedStatement select = db.prepareStatement(LIVE);
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        live.add(rows.getString(1));
      }
    }
    return new Heartbeat(joined, gone > 0, own(live));
  }

  /**
   * Owns the partitions that fall to this worker among {@code live} (sorted ids, this worker's
   * included); true if they changed.
   */
  synchronized boolean own(List<String> live) {
    int index = live.indexOf(workerId);
    int mask = 0;
    if (index < 0) {
      mask = -1; // not registered (yet): every partition, as a lone worker
    } else {
      for (int p = index; p < COUNT; p += live.size()) {
        mask |= 1 << p;
      }
    }
    if (mask == owned) {
      return false;
    }
    owned = mask;
    return true;
  }

  /** Removes this worker's row, so that the others take its partitions over at once. */
  void leave(Connection db) throws SQLException {
    try (PreparedStatement delete =
        db.prepareStatement("DELETE FROM workers WHERE worker_id = ?")) {
      delete.setString(1, workerId);
      delete.executeUpdate();
    }
  }
}
