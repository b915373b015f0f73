package dev.fermata.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

class StoreFailureLogTest {
  private final List<String> warnings = new ArrayList<>();

  /** A logger that keeps its WARN lines, formatted. */
  private final Logger logger =
      (Logger)
          Proxy.newProxyInstance(
              Logger.class.getClassLoader(),
              new Class<?>[] {Logger.class},
              (proxy, method, args) -> {
                if (method.getName().equals("warn")) {
                  Object[] params =
                      args.length == 2 && args[1] instanceof Object[] array
                          ? array
                          : java.util.Arrays.copyOfRange(args, 1, args.length);
                  warnings.add(MessageFormatter.arrayFormat((String) args[0], params).getMessage());
                }
                return method.getReturnType() == boolean.class ? true : null;
              });

  private static StoreUnavailableException diskFull() {
    return new StoreUnavailableException(
        "the store cannot write: disk full", new IllegalStateException("SQLITE_FULL"));
  }

  @Test
  void repeats_withinTheInterval_areLeftOut() {
    StoreFailureLog log = new StoreFailureLog(logger, Duration.ofHours(1));
    for (int i = 0; i < 100; i++) {
      log.warn("Episode could not be stored", diskFull());
    }
    assertThat(warnings)
        .containsExactly(
            "Episode could not be stored: the store cannot write: disk full (SQLITE_FULL)");
  }

  @Test
  void theNextLine_saysHowManyWereLeftOut() {
    StoreFailureLog log = new StoreFailureLog(logger, Duration.ofMillis(1));
    log.warn("Write failed", diskFull());
    log.warn("Write failed", diskFull()); // most likely within the millisecond; counted if so
    long lineAfter = System.nanoTime() + Duration.ofMillis(1).toNanos();
    while (System.nanoTime() - lineAfter < 0) {
      Thread.onSpinWait();
    }
    log.warn("Write failed", diskFull());
    assertThat(warnings.getFirst())
        .isEqualTo("Write failed: the store cannot write: disk full (SQLITE_FULL)");
    assertThat(warnings.getLast())
        .startsWith("Write failed: the store cannot write: disk full (SQLITE_FULL)");
    int lines = warnings.size();
    assertThat(warnings.getLast())
        .endsWith(
            lines == 3 ? "(SQLITE_FULL)" : "; 1 more storage failure(s) since the previous line");
  }

  @Test
  void cause_findsTheStorageFailureUnderWrappers() {
    StoreUnavailableException failure = diskFull();
    assertThat(StoreFailureLog.cause(new CompletionException(new RuntimeException(failure))))
        .containsSame(failure);
    assertThat(StoreFailureLog.cause(new IllegalStateException("boom"))).isEmpty();
  }
}
