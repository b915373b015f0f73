package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.spi.DurableStore;
import dev.fermata.spi.StoreUnavailableException;
import dev.fermata.storetest.StoreProxy;
import dev.fermata.testsupport.Poll;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HealthRoutesTest {

  static void assertStatus(HttpResponse<String> r, int code, String status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(HttpApiTestSupport.json(r).path("status").asText()).isEqualTo(status);
  }

  static String reason(HttpResponse<String> r) {
    return HttpApiTestSupport.json(r).path("reason").asText();
  }

  @Nested
  class OnARunningEngine extends HttpApiTestSupport {
    @Test
    void healthz_is200() {
      HttpResponse<String> r = get("/healthz");
      assertStatus(r, 200, "ok");
      assertThat(json(r).has("reason")).isFalse();
    }

    @Test
    void readyz_is200() {
      HttpResponse<String> r = get("/readyz");
      assertStatus(r, 200, "ready");
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void theProbeCreatesNothing() {
      assertStatus(get("/readyz"), 200, "ready");
      assertThat(client.getInstance(HealthRoutes.PROBE_INSTANCE_ID)).isEmpty();
      assertThat(client.query(dev.fermata.InstanceQuery.all()).instances()).isEmpty();
    }

    @Test
    void otherMethods_areAnsweredAsForAnyRoute() {
      assertError(post("/healthz", null), 404, "method_not_supported");
      assertError(post("/readyz", null), 404, "method_not_supported");
      HttpResponse<String> head = send(request("/readyz").method("HEAD", noBody()));
      assertThat(head.statusCode()).isEqualTo(404);
    }

    @Test
    void readyz_is503_whenTheStoreIsClosed_whileHttpStillAnswers() {
      engine.store().close();
      HttpResponse<String> r = get("/readyz");
      assertStatus(r, 503, "not ready");
      assertThat(reason(r)).isEqualTo("the store is closed");
      assertStatus(get("/healthz"), 200, "ok");
    }

    @Test
    void readyz_is503_onceTheEngineStops_whileHttpStillAnswers() {
      engine.close();
      HttpResponse<String> r = get("/readyz");
      assertStatus(r, 503, "not ready");
      assertThat(reason(r)).contains("workers are not running");
      assertStatus(get("/healthz"), 200, "ok");
    }
  }

  @Nested
  class BeforeTheWorkersStart extends HttpApiTestSupport {
    @Test
    void readyz_is503_untilStart() throws Exception {
      // A second engine on its own store whose workers never start, served by its own API.
      var notStarted =
          dev.fermata.Fermata.builder()
              .store(dev.fermata.sqlite.SqliteStore.open(dir.resolve("other.db")))
              .build()
              .openStore();
      try (ManagementApi other =
          ManagementApi.start(notStarted, ManagementApiOptions.defaults().withPort(0))) {
        HttpResponse<String> r = get("http://127.0.0.1:" + other.port() + "/readyz");
        assertStatus(r, 503, "not ready");
        assertThat(reason(r)).contains("not started");
        notStarted.start();
        assertStatus(get("http://127.0.0.1:" + other.port() + "/readyz"), 200, "ready");
      } finally {
        notStarted.close();
      }
    }
  }

  @Nested
  class WithAManagementKey extends HttpApiTestSupport {
    static final String KEY = "do-not-leak-me";

    @Override
    String managementKey() {
      return KEY;
    }

    @Test
    void healthAndReadiness_needNoKey_andShowNoSecret() {
      HttpResponse<String> health = get("/healthz");
      HttpResponse<String> ready = get("/readyz");
      assertStatus(health, 200, "ok");
      assertStatus(ready, 200, "ready");
      assertThat(health.body() + ready.body()).doesNotContain(KEY);
      assertError(get(BASE + "/instances"), 401, "unauthorized");
      assertError(get("/healthz/x"), 401, "unauthorized");
    }
  }

  /** A store whose reads or writes fail (or hang) on demand. */
  @Nested
  class WithAFailingStore extends HttpApiTestSupport {
    final AtomicBoolean failReads = new AtomicBoolean();
    final AtomicBoolean failCheckpoints = new AtomicBoolean();
    final AtomicBoolean failCreates = new AtomicBoolean();
    final AtomicBoolean hangReads = new AtomicBoolean();
    final CountDownLatch releaseReads = new CountDownLatch(1);

    @Override
    DurableStore store(DurableStore sqlite) {
      return StoreProxy.around(
          sqlite,
          (method, args, next) -> {
            if (method.equals("getInstance") && args[0].equals(HealthRoutes.PROBE_INSTANCE_ID)) {
              if (hangReads.get()) {
                releaseReads.await();
              }
              if (failReads.get()) {
                throw new IllegalStateException("disk on fire at /secret/path");
              }
            }
            if (method.equals("createInstance") && failCreates.get()) {
              throw new StoreUnavailableException("disk full at /secret/path", null);
            }
            if (method.equals("checkpoint") && failCheckpoints.get()) {
              return CompletableFuture.failedFuture(
                  new IllegalStateException("write failed at /secret/path"));
            }
            return next.call();
          });
    }

    @AfterEach
    void release() {
      releaseReads.countDown();
    }

    @Test
    void readyz_is503_whileTheStoreCheckFails_withoutItsDetails() {
      failReads.set(true);
      HttpResponse<String> r = get("/readyz");
      assertStatus(r, 503, "not ready");
      assertThat(reason(r)).isEqualTo("the store check failed; see the log");
      assertThat(r.body()).doesNotContain("secret");
      failReads.set(false);
      assertStatus(get("/readyz"), 200, "ready");
    }

    @Test
    void readyz_is503_whenTheStoreDoesNotAnswerInTime() {
      hangReads.set(true);
      HttpResponse<String> r = get("/readyz");
      assertStatus(r, 503, "not ready");
      assertThat(reason(r)).startsWith("the store did not answer within");
      hangReads.set(false);
      releaseReads.countDown();
      assertStatus(get("/readyz"), 200, "ready");
    }

    @Test
    void readyz_is503_whileWritesFail_andReadyAgainOnceOneSucceeds() {
      failCheckpoints.set(true);
      String id = client.scheduleNew("Echo", "x");
      HttpResponse<String> r = awaitReadyz(503);
      assertThat(reason(r)).startsWith("the store's latest write failed");
      assertThat(r.body()).doesNotContain("secret");
      failCheckpoints.set(false); // the episode is retried with backoff, and its write succeeds
      client.waitForCompletion(id, WAIT);
      assertStatus(awaitReadyz(200), 200, "ready");
    }

    @Test
    void readyz_is503_whileAClientsWriteFails_andReadyAgainOnceOneSucceeds() {
      failCreates.set(true);
      assertError(post("/api/orchestrators/Echo", null), 503, "store_unavailable");

      HttpResponse<String> r = get("/readyz");
      assertStatus(r, 503, "not ready");
      assertThat(reason(r)).startsWith("the store's latest write failed");
      assertThat(r.body()).doesNotContain("secret");

      failCreates.set(false);
      assertThat(post("/api/orchestrators/Echo", null).statusCode()).isEqualTo(202);
      assertStatus(get("/readyz"), 200, "ready");
    }

    private HttpResponse<String> awaitReadyz(int code) {
      return Poll.forValue(
          "/readyz to answer " + code,
          WAIT,
          () -> {
            HttpResponse<String> r = get("/readyz");
            return r.statusCode() == code ? r : null;
          });
    }
  }

  static HttpRequest.BodyPublisher noBody() {
    return HttpRequest.BodyPublishers.noBody();
  }
}
