package dev.fermata.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.StoreUnavailableException;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database out of reach (it refuses connections and the open ones are terminated): requests
 * fail as {@link StoreUnavailableException}, and the engine goes on by itself once it is back.
 */
class DatabaseOutageTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private TestPostgres postgres;
  private Fermata engine;
  private FermataClient client;

  @BeforeEach
  void start() {
    postgres = TestPostgres.createDatabase();
    engine =
        Fermata.builder()
            .store(PostgresStore.open(postgres.options("outage").build()))
            .orchestrator("Echo", ctx -> ctx.getInput(String.class))
            .orchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("Go", String.class).await())
            .build()
            .start();
    client = engine.client();
  }

  @AfterEach
  void stop() {
    try {
      engine.close();
    } finally {
      postgres.acceptConnections(true);
      postgres.close();
    }
  }

  @Test
  void whileTheDatabaseIsOutOfReach_requestsFailAsUnavailable_andTheEngineRecovers() {
    client.waitForCompletion(client.scheduleNew("Echo", "before"), WAIT);
    String waiting = client.scheduleNew("WaitForGo", null);
    client.waitForStart(waiting, WAIT);

    postgres.acceptConnections(false);

    assertThatThrownBy(() -> client.scheduleNew("Echo", "during"))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessage("the store cannot reach the database");
    assertThatThrownBy(() -> client.getInstance(waiting))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessage("the store cannot reach the database");

    postgres.acceptConnections(true);

    String after = whileUnavailable(() -> client.scheduleNew("Echo", "after"));
    assertThat(client.waitForCompletion(after, WAIT).readOutputAs(String.class)).isEqualTo("after");
    whileUnavailable(
        () -> {
          client.raiseEvent(waiting, "Go", "go");
          return null;
        });
    assertThat(client.waitForCompletion(waiting, WAIT).readOutputAs(String.class)).isEqualTo("go");
  }

  /** Repeats a request while it fails as unavailable (a connection the outage broke, say). */
  private static <T> T whileUnavailable(Supplier<T> request) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        return request.get();
      } catch (StoreUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }
}
