package dev.fermata.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.InstanceQuery;
import dev.fermata.OrchestrationStatus;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.WorkBacklog;
import dev.fermata.spi.WorkerStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard at {@code /dashboard}: a page, its script and its style, read from the jar, and the
 * two reads the management API lacks: counts per status ({@code /dashboard/api/counts}) and the
 * workers with the backlog ({@code /dashboard/api/workers}). The page holds no data: it is served
 * without the management key, and asks for the key when the API it calls wants one.
 */
final class DashboardRoutes {
  private static final String PAGE = "dashboard";
  private static final String ASSETS = "/dev/fermata/http/dashboard/";

  /** The files served, by the path's last segment, with their content types. */
  private static final Map<String, String> FILES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "app.js", "text/javascript; charset=utf-8",
          "app.css", "text/css; charset=utf-8");

  /**
   * Scripts only from the host itself and no inline code: instance data (ids, inputs, outputs) is
   * shown as text, and the policy stops anything in it from running should that ever slip.
   */
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

  private final FermataClient client;
  private final DurableStore store;
  private final InstantSource clock;
  private final Map<String, byte[]> files = new LinkedHashMap<>();

  DashboardRoutes(Fermata fermata) {
    this.client = fermata.client();
    this.store = fermata.store();
    this.clock = fermata.clock();
    for (String file : FILES.keySet()) {
      files.put(file, read(file));
    }
  }

  /** Whether the request is for the page or one of its files, which need no key. */
  static boolean isPagePath(List<String> segments) {
    return !segments.isEmpty()
        && segments.getFirst().equalsIgnoreCase(PAGE)
        && (segments.size() == 1 || (segments.size() == 2 && FILES.containsKey(segments.get(1))));
  }

  void register(Router router) {
    router.add("GET", PAGE, r -> file("index.html"));
    router.add("GET", PAGE + "/api/counts", this::counts);
    router.add("GET", PAGE + "/api/workers", r -> workers());
    router.add("GET", PAGE + "/{file}", r -> file(r.pathParam("file")));
  }

  private ApiResponse file(String name) {
    byte[] body = files.get(name);
    if (body == null) {
      throw new ApiException(404, "route_not_found", "The dashboard has no file '" + name + "'");
    }
    ApiResponse response = new ApiResponse(200, new LinkedHashMap<>(), body);
    response.header("Content-Type", FILES.get(name));
    response.header("Cache-Control", "no-cache");
    response.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.header("X-Content-Type-Options", "nosniff");
    return response;
  }

  /**
   * How many instances match the list's filters, per runtime status and in all: {@code {"total": n,
   * "byStatus": {"Running": n, ...}}}.
   */
  private ApiResponse counts(ApiRequest req) {
    InstanceQuery filter = InstanceQueryRoutes.filter(req);
    Map<OrchestrationStatus, Long> counts = client.countInstances(filter);
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("total", counts.values().stream().mapToLong(Long::longValue).sum());
    ObjectNode byStatus = body.putObject("byStatus");
    counts.forEach((status, n) -> byStatus.put(status.displayName(), n));
    return ApiResponse.json(200, body);
  }

  /**
   * The work waiting in the store and, on a store several hosts share, the hosts alive with what
   * each holds: {@code {"shared": true, "backlog": {...}, "workers": [...]}}.
   */
  private ApiResponse workers() {
    List<WorkerStatus> workers = store.workers();
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("shared", !workers.isEmpty());
    Optional<WorkBacklog> backlog = store.backlog();
    if (backlog.isPresent()) {
      WorkBacklog b = backlog.get();
      ObjectNode o = body.putObject("backlog");
      o.put("visibleMessages", b.visibleMessages());
      o.put("activityTasks", b.activityTasks());
      if (b.oldestVisibleAt() != null) {
        o.put("oldestVisibleAt", Json.statusTime(b.oldestVisibleAt()));
        o.put(
            "oldestWaitSeconds",
            Math.max(0, Duration.between(b.oldestVisibleAt(), clock.instant()).toMillis())
                / 1000.0);
      }
    } else {
      body.putNull("backlog");
    }
    ArrayNode list = body.putArray("workers");
    for (WorkerStatus w : workers) {
      ObjectNode o = list.addObject();
      o.put("workerId", w.workerId());
      o.put("aliveUntil", Json.statusTime(w.aliveUntil()));
      o.put("instancesHeld", w.instancesHeld());
      o.put("tasksHeld", w.tasksHeld());
      o.put("self", w.self());
    }
    return ApiResponse.json(200, body);
  }

  private static byte[] read(String file) {
    try (InputStream in = DashboardRoutes.class.getResourceAsStream(ASSETS + file)) {
      if (in == null) {
        throw new IllegalStateException("The dashboard's " + file + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
