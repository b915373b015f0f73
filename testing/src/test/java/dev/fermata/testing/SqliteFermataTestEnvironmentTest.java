package dev.fermata.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.memory.InMemoryStore;
import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteStore;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every test of the kit again, with the engine on a SQLite file instead of in memory. */
class SqliteFermataTestEnvironmentTest extends FermataTestEnvironmentTest {
  private static final Instant START = Instant.parse("2026-05-01T00:00:00Z");

  @TempDir Path dir;
  private int stores;

  @Override
  FermataTestEnvironment.Builder env() {
    return super.env().store(SqliteStore.open(dir.resolve("kit-" + stores++ + ".db")));
  }

  @Test
  void theFileHoldsWhatRanInVirtualTime() {
    Path file = dir.resolve("kept.db");
    String id;
    try (var env =
        FermataTestEnvironment.builder()
            .startAt(START)
            .store(SqliteStore.open(file))
            .functions(
                b ->
                    b.orchestrator(
                        "Remind",
                        ctx -> {
                          ctx.createTimer(Duration.ofDays(30)).await();
                          return "reminded";
                        }))
            .start()) {
      id = env.client().scheduleNew("Remind", null);
      assertThat(env.waitForCompletion(id).getSerializedOutput()).isEqualTo("\"reminded\"");
    }
    try (SqliteStore reopened = SqliteStore.open(file)) {
      reopened.start(Clock.systemUTC());
      assertThat(reopened.getInstance(id))
          .hasValueSatisfying(
              i -> {
                assertThat(i.output()).isEqualTo("\"reminded\"");
                assertThat(i.completedAt()).isEqualTo(START.plus(Duration.ofDays(30)));
              });
    }
  }

  @Test
  void aStoreThatCannotTellWhenItIsIdle_isRefused() {
    DurableStore elsewhere =
        (DurableStore)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {DurableStore.class},
                (proxy, method, args) -> {
                  throw new UnsupportedOperationException();
                });

    assertThatThrownBy(() -> FermataTestEnvironment.builder().store(elsewhere))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot run in virtual time")
        .hasMessageContaining("single-process stores (in-memory, SQLite)");
    assertThat(FermataTestEnvironment.builder().store(new InMemoryStore())).isNotNull();
  }
}
