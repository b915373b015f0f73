package dev.fermata.postgres.scaleout;

import dev.fermata.Fermata;
import dev.fermata.fixtures.StepWindowFlow;
import dev.fermata.postgres.PostgresOptions;
import dev.fermata.postgres.PostgresStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A worker process of {@link StepWindowIT}: {@link StepWindowFlow} on a PostgreSQL hub. Every
 * activity run appends its call to a log file.
 */
public final class StepWindowWorkload {
  static final String LOG = "activity.log";

  private StepWindowWorkload() {}

  /** Args: JDBC URL, hub, lease in ms, folder; {@code start} schedules the orchestration. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[3]);
    PostgresStore store =
        PostgresStore.open(
            PostgresOptions.builder(args[0])
                .user("postgres")
                .hubName(args[1])
                .leaseDuration(Duration.ofMillis(Long.parseLong(args[2])))
                .build());
    Path log = dir.resolve(LOG);
    try (Fermata engine =
        StepWindowFlow.register(
                Fermata.builder().store(store), dir, (ctx, call) -> record(log, call))
            .build()
            .start()) {
      StepWindowFlow.serve(engine, args[4].equals("start"));
    }
  }

  private static synchronized void record(Path log, String call) {
    try {
      Files.writeString(log, call + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
