package dev.fermata.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fermata.Fermata;
import dev.fermata.spi.StoreClosedException;
import dev.fermata.spi.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /healthz} (liveness: the process serves HTTP) and {@code GET /readyz} (readiness: the
 * workers run, the store answers a read in time, and the latest write did not fail). Both are open
 * without the management key and name no internals: failures are detailed in the log.
 */
final class HealthRoutes {
  private static final Logger log = LoggerFactory.getLogger(HealthRoutes.class);

  /** The instance read by the store check; no such instance exists, and none is created. */
  static final String PROBE_INSTANCE_ID = "fermata.readyz-probe";

  static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final Fermata fermata;
  private final Duration checkTimeout;

  /** The store check in flight, shared by concurrent probes so that a hung store holds one. */
  private CompletableFuture<Void> inFlight;

  HealthRoutes(Fermata fermata, Duration checkTimeout) {
    this.fermata = fermata;
    this.checkTimeout = checkTimeout;
  }

  /** Whether the path is one of these routes, which the management key does not guard. */
  static boolean isHealthPath(List<String> segments) {
    return segments.size() == 1
        && (segments.getFirst().equalsIgnoreCase("healthz")
            || segments.getFirst().equalsIgnoreCase("readyz"));
  }

  void register(Router router) {
    router.add("GET", "healthz", r -> status(200, "ok", null));
    router.add("GET", "readyz", r -> ready());
  }

  private ApiResponse ready() {
    if (!fermata.isRunning()) {
      return status(
          503, "not ready", "the engine's workers are not running (not started or stopping)");
    }
    String storeProblem = checkStore();
    if (storeProblem != null) {
      return status(503, "not ready", storeProblem);
    }
    var failing = fermata.writesFailingSince();
    if (failing.isPresent()) {
      return status(
          503,
          "not ready",
          "the store's latest write failed (failing since " + failing.get() + "); see the log");
    }
    return status(200, "ready", null);
  }

  /** Null if the store answered the read in time, else the reason. */
  private String checkStore() {
    CompletableFuture<Void> check = startCheck();
    try {
      check.get(checkTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (TimeoutException e) {
      return "the store did not answer within " + checkTimeout.toMillis() + " ms";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "the readiness check was interrupted";
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StoreClosedException) {
        return "the store is closed";
      }
      if (cause instanceof StoreUnavailableException unavailable) {
        return unavailable.getMessage(); // names the problem, no internals
      }
      log.warn("Readiness: the store check failed", cause);
      return "the store check failed; see the log";
    }
  }

  private synchronized CompletableFuture<Void> startCheck() {
    if (inFlight == null || inFlight.isDone()) {
      CompletableFuture<Void> check = new CompletableFuture<>();
      Thread.ofVirtual()
          .name("fermata-readyz")
          .start(
              () -> {
                try {
                  fermata.store().getInstance(PROBE_INSTANCE_ID);
                  check.complete(null);
                } catch (Throwable t) {
                  check.completeExceptionally(t);
                }
              });
      inFlight = check;
    }
    return inFlight;
  }

  private static ApiResponse status(int code, String status, String reason) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("status", status);
    if (reason != null) {
      body.put("reason", reason);
    }
    return ApiResponse.json(code, body).header("Cache-Control", "no-store");
  }
}
