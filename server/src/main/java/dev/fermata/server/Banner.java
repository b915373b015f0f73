package dev.fermata.server;

import dev.fermata.host.FermataHost;
import dev.fermata.http.HttpFunctionRoute;
import dev.fermata.internal.host.TimerTriggers;
import dev.fermata.postgres.PostgresOptions;
import dev.fermata.postgres.PostgresStore;
import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteStore;
import java.util.TreeSet;

/** The few lines a started host prints: where it listens and what it runs. */
final class Banner {
  private Banner() {}

  /**
   * What the store opened: for SQLite, the absolute file path and whether it was created or opened
   * (with its instance count); for PostgreSQL, the JDBC URL without its password and the hub.
   */
  static String store(FermataHost host) {
    DurableStore store = host.fermata().store();
    if (store instanceof SqliteStore sqlite) {
      return sqlite
          .opened()
          .map(o -> "sqlite " + o.path() + ", " + o.describe())
          .orElse("sqlite " + sqlite.options().path().toAbsolutePath());
    }
    if (store instanceof PostgresStore postgres) {
      PostgresOptions o = postgres.options();
      return "postgres " + o.redactedJdbcUrl() + ", hub " + o.hubName();
    }
    return host.config().storageType();
  }

  static String of(FermataHost host) {
    var c = host.config();
    String base = c.publicBaseUrl() != null ? c.publicBaseUrl() : host.baseUrl();
    StringBuilder b = new StringBuilder();
    b.append("Fermata host listening on ").append(host.listenUrl());
    b.append("  (hub ").append(c.hubName()).append(", store ").append(c.storageType());
    b.append(c.managementKey() == null ? "" : ", management key required").append(")\n");
    if (c.publicBaseUrl() != null) {
      b.append("Public address: ").append(c.publicBaseUrl()).append('\n');
    }
    b.append('\n');
    b.append("  Store:           ").append(store(host)).append('\n');
    TreeSet<String> orchestrators = new TreeSet<>(host.fermata().orchestratorNames());
    orchestrators.removeIf(o -> o.startsWith(TimerTriggers.INTERNAL_PREFIX));
    b.append("  Orchestrators:   ").append(String.join(", ", orchestrators)).append('\n');
    TreeSet<String> activities = new TreeSet<>(host.fermata().activityNames());
    activities.removeIf(a -> a.startsWith("timer:") || a.startsWith(TimerTriggers.INTERNAL_PREFIX));
    b.append("  Activities:      ").append(String.join(", ", activities)).append('\n');
    if (!host.fermata().entityNames().isEmpty()) {
      b.append("  Entities:        ")
          .append(String.join(", ", new TreeSet<>(host.fermata().entityNames())))
          .append('\n');
    }
    for (HttpFunctionRoute r : host.httpFunctions()) {
      b.append("  HTTP function:   ")
          .append(r.name())
          .append(": ")
          .append(String.join(",", r.methods()))
          .append(' ')
          .append(base)
          .append("/api/")
          .append(r.route())
          .append('\n');
    }
    host.timerFunctions()
        .forEach(
            (name, schedule) ->
                b.append("  Timer function:  ")
                    .append(name)
                    .append(": ")
                    .append(schedule)
                    .append('\n'));
    host.grpcPort()
        .ifPresent(
            port ->
                b.append("  Durable Task:    gRPC ")
                    .append(
                        c.bindAddress().contains(":")
                            ? "[" + c.bindAddress() + "]"
                            : c.bindAddress())
                    .append(':')
                    .append(port)
                    .append(" (the Durable Task SDKs' workers and clients)\n"));
    b.append("  Start:           POST ").append(base).append("/api/orchestrators/{name}\n");
    b.append("  Instances:       GET  ")
        .append(base)
        .append("/runtime/webhooks/durabletask/instances\n");
    b.append("  Dashboard:       ").append(base).append("/dashboard\n");
    host.tracing().ifPresent(t -> b.append("  Tracing:         ").append(t).append('\n'));
    b.append("  Metrics:         GET  ").append(base).append("/metrics (Prometheus)\n\n");
    b.append("Stop with Ctrl-C (or SIGTERM): running activities get ")
        .append(c.shutdownGracePeriod().toSeconds())
        .append(" s to finish.\n");
    return b.toString();
  }
}
