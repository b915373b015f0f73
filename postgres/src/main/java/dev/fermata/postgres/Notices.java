package dev.fermata.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one transaction tells the other workers: that orchestration work (or a timer) or activity
 * work was enqueued, and which instance rows changed. Sent with {@code pg_notify} inside the
 * transaction, so PostgreSQL delivers them only if it commits.
 *
 * <p>A payload is {@code "<worker id> o"}, {@code "<worker id> a"} or {@code "<worker id> i
 * <instance id>"}; a worker ignores its own, which it has acted on directly after the commit.
 */
final class Notices {
  static final String ORCHESTRATIONS = "o";
  static final String ACTIVITIES = "a";
  static final String INSTANCE = "i";

  private boolean orchestrations;
  private boolean activities;
  private final Set<String> changedInstances = new LinkedHashSet<>();

  void orchestrationWork() {
    orchestrations = true;
  }

  void activityWork() {
    activities = true;
  }

  void instanceChanged(String instanceId) {
    changedInstances.add(instanceId);
  }

  boolean hasOrchestrationWork() {
    return orchestrations;
  }

  boolean hasActivityWork() {
    return activities;
  }

  Set<String> changedInstances() {
    return changedInstances;
  }

  /** Queues the notifications in the current transaction. */
  void send(Connection db, String channel, String workerId) throws SQLException {
    List<String> payloads = new ArrayList<>();
    if (orchestrations) {
      payloads.add(workerId + " " + ORCHESTRATIONS);
    }
    if (activities) {
      payloads.add(workerId + " " + ACTIVITIES);
    }
    for (String id : changedInstances) {
      payloads.add(workerId + " " + INSTANCE + " " + id);
    }
    if (payloads.isEmpty()) {
      return;
    }
    try (PreparedStatement notify =
        db.prepareStatement("SELECT pg_notify(?, payload) FROM unnest(?::text[]) AS payload")) {
      notify.setString(1, channel);
      notify.setArray(2, db.createArrayOf("text", payloads.toArray()));
      notify.executeQuery().close();
    }
  }
}
