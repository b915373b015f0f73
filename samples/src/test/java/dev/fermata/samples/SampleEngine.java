package dev.fermata.samples;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.testsupport.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** An engine on a real SQLite file, with the functions a sample registers. */
public final class SampleEngine implements AutoCloseable {
  /** Generous: the build machine may be busy. */
  public static final Duration WAIT = Duration.ofSeconds(60);

  private final Fermata fermata;

  private SampleEngine(Fermata fermata) {
    this.fermata = fermata;
  }

  public static SampleEngine start(Path dir, UnaryOperator<Fermata.Builder> functions) {
    Fermata.Builder builder =
        Fermata.builder()
            .store(SqliteStore.open(dir.resolve("fermata.db")))
            .shutdownGracePeriod(Duration.ofSeconds(5));
    return new SampleEngine(functions.apply(builder).build().start());
  }

  public FermataClient client() {
    return fermata.client();
  }

  /** Waits for the instance to finish and checks that it completed (not failed). */
  public InstanceState awaitCompleted(String instanceId) {
    InstanceState state = client().waitForCompletion(instanceId, WAIT);
    if (state.getStatus() != OrchestrationStatus.COMPLETED) {
      throw new AssertionError(
          "instance "
              + instanceId
              + " ended "
              + state.getStatus()
              + (state.getFailureDetails() == null
                  ? ""
                  : ": " + state.getFailureDetails().summary()));
    }
    return state;
  }

  /** Waits, re-checking every few milliseconds, until {@code condition} holds. */
  public static void awaitCondition(String description, BooleanSupplier condition) {
    Poll.until(description, WAIT, condition::getAsBoolean);
  }

  @Override
  public void close() {
    fermata.close();
  }
}
