package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.spi.DurableStore;
import dev.fermata.spi.StoreUnavailableException;
import dev.fermata.storetest.StoreProxy;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A store that cannot serve requests: each is answered 503 with a reason, never a bare 500. */
class StoreUnavailableTest extends HttpApiTestSupport {
  private static final Set<String> FAILING =
      Set.of("createInstance", "getInstance", "sendMessage", "queryInstances");

  private final AtomicBoolean diskFull = new AtomicBoolean();

  @Override
  DurableStore store(DurableStore sqlite) {
    return StoreProxy.around(
        sqlite,
        (method, args, next) -> {
          if (diskFull.get() && FAILING.contains(method)) {
            throw new StoreUnavailableException(
                "the store cannot write: disk full",
                new SQLException("[SQLITE_FULL] at /secret/path"));
          }
          return next.call();
        });
  }

  @Test
  void requests_get503WithRetryAfterAndTheProblem_andSucceedOnceTheStoreIsBack() {
    String running = startRunning("waiting");
    diskFull.set(true);

    for (HttpResponse<String> r :
        List.of(
            post("/api/orchestrators/Echo", "\"x\""),
            get(BASE + "/instances/" + running),
            get(BASE + "/instances"),
            post(BASE + "/instances/" + running + "/raiseEvent/Go", "1"))) {
      assertError(r, 503, "store_unavailable");
      assertThat(json(r).path("message").asText()).isEqualTo("the store cannot write: disk full");
      assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(r.body()).doesNotContain("secret");
    }
    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(json(ready).path("reason").asText()).isEqualTo("the store cannot write: disk full");

    diskFull.set(false);

    assertThat(post("/api/orchestrators/Echo", "\"x\"").statusCode()).isEqualTo(202);
    assertThat(get(BASE + "/instances/" + running).statusCode()).isBetween(200, 299);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }
}
