package dev.fermata.postgres;

import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.InstanceChangeListener;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the hub's channel over a dedicated connection and turns other workers' notifications
 * into local signals. When the connection breaks (a database restart), it reconnects with a
 * back-off and then wakes everything, since notifications sent meanwhile are lost.
 */
final class NotificationListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);
  private static final int RECEIVE_TIMEOUT_MILLIS = 500;
  private static final long MAX_BACKOFF_MILLIS = 2_000;

  private final Database database;
  private final String channel;
  private final String workerId;
  private final Signals signals;
  private final InstanceChangeListener instanceChanged;
  private final Partitions partitions;
  private final Runnable workersChanged;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Connection connection;
  private final AtomicLong orchestrationNoticesTaken = new AtomicLong();

  NotificationListener(
      Database database,
      String channel,
      String workerId,
      Signals signals,
      InstanceChangeListener instanceChanged,
      Partitions partitions,
      Runnable workersChanged) {
    this.database = database;
    this.channel = channel;
    this.workerId = workerId;
    this.signals = signals;
    this.instanceChanged = instanceChanged;
    this.partitions = partitions;
    this.workersChanged = workersChanged;
    this.thread =
        Thread.ofPlatform().name("fermata-listen-" + channel).daemon(true).unstarted(this::run);
  }

  /** Connects and starts listening; the first connection must succeed. */
  void start() throws SQLException {
    connection = listen();
    thread.start();
  }

  private Connection listen() throws SQLException {
    Connection db = database.openDedicated();
    try (Statement listen = db.createStatement()) {
      listen.execute("LISTEN " + channel);
    } catch (SQLException e) {
      db.close();
      throw e;
    }
    return db;
  }

  private void run() {
    long backoff = 100;
    while (!closed) {
      try {
        if (connection == null) {
          connection = listen();
          LOG.info("Listening on '{}' again", channel);
          backoff = 100;
          signals.orchestrationWork(); // whatever was announced meanwhile is in the tables
          signals.activityWork();
          instanceChanged.changed(null, null); // and waiters may have missed changes
          workersChanged.run(); // and workers may have come or gone
        }
        PGNotification[] received =
            connection.unwrap(PGConnection.class).getNotifications(RECEIVE_TIMEOUT_MILLIS);
        if (received != null) {
          for (PGNotification notification : received) {
            deliver(notification.getParameter());
          }
        }
      } catch (SQLException e) {
        if (closed) {
          return;
        }
        if (connection != null) {
          LOG.warn("Lost the notification connection on '{}': {}", channel, e.getMessage());
        }
        closeConnection();
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
  }

  /**
   * Notices of orchestration work from other workers that woke this one (for tests: unlike the
   * signal counts, no reconnect or change of partitions adds to it).
   */
  long orchestrationNoticesTaken() {
    return orchestrationNoticesTaken.get();
  }

  /** The status a notice names; null (the listener reads the row) if unknown or unreadable. */
  private static OrchestrationStatus status(String name) {
    try {
      return name.equals(Notices.UNKNOWN_STATUS) ? null : OrchestrationStatus.valueOf(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void deliver(String payload) {
    String[] parts = payload.split(" ", 4);
    if (parts.length < 2 || parts[0].equals(workerId)) {
      return; // our own: acted on after the commit
    }
    switch (parts[1]) {
      case Notices.ORCHESTRATIONS -> {
        if (parts.length < 3 || ownsAny(parts[2])) {
          orchestrationNoticesTaken.incrementAndGet();
          signals.orchestrationWork();
        }
      }
      case Notices.WORKERS -> workersChanged.run();
      case Notices.ACTIVITIES -> signals.activityWork();
      case Notices.INSTANCE -> {
        if (parts.length == 4) {
          instanceChanged.changed(parts[3], status(parts[2]));
        }
      }
      default -> LOG.debug("ignoring notification '{}'", payload);
    }
  }

  /** Whether this worker owns one of the partitions in a notice (or it names none it can read). */
  private boolean ownsAny(String list) {
    int[] named = Notices.partitionsOf(list);
    if (named == null) {
      return true;
    }
    for (int partition : named) {
      if (partitions.owns(partition)) {
        return true;
      }
    }
    return false;
  }

  private void closeConnection() {
    Connection db = connection;
    connection = null;
    if (db != null) {
      try {
        db.close();
      } catch (SQLException ignored) {
        // already broken
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeConnection();
  }
}
