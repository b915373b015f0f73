package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.spi.DurableStore;
import dev.fermata.spi.StoreUnavailableException;
import dev.fermata.storetest.StoreProxy;
import dev.fermata.testsupport.Logs;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The management key never reaches the log, even in the URL of a request that failed. */
class SecretsInLogsTest extends HttpApiTestSupport {
  private static final String KEY = "s3cret-key-42";
  private final AtomicBoolean broken = new AtomicBoolean();

  @Override
  String managementKey() {
    return KEY;
  }

  @Override
  DurableStore store(DurableStore sqlite) {
    return StoreProxy.around(
        sqlite,
        (method, args, next) -> {
          if (broken.get() && method.equals("queryInstances")) {
            throw new IllegalStateException("a bug in the store");
          }
          if (broken.get() && method.equals("getInstance")) {
            throw new StoreUnavailableException("the store cannot read: disk gone", null);
          }
          return next.call();
        });
  }

  @Test
  void failedRequestsWithTheKeyInTheUrl_logTheUrlWithoutIt() {
    broken.set(true);
    String log =
        Logs.capture(
            () -> {
              assertError(get(BASE + "/instances?top=5&code=" + KEY), 500, "internal_error");
              assertError(get(BASE + "/instances/x?CODE=" + KEY), 503, "store_unavailable");
            });

    assertThat(log)
        .contains("Internal error answering GET " + BASE + "/instances?top=5&code=***")
        .contains(BASE + "/instances/x?CODE=***")
        .doesNotContain(KEY);
  }
}
