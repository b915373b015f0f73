package dev.fermata.sqlite.crash;

import dev.fermata.Fermata;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.TaskFailedException;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child JVM for {@link HaltingActivityIT}: an engine on a SQLite file whose one activity halts
 * the JVM every time it runs, as an activity that crashes its process (an OOM, a native crash)
 * does.
 *
 * <p>Usage: {@code HaltingActivityMain <db path> start|resume}. Prints {@code RUN <delivery count>}
 * just before each halt, and {@code DONE <output>} once the orchestration has finished; then runs
 * until its standard input is closed.
 */
public final class HaltingActivityMain {
  static final String INSTANCE = "halting";
  static final int MAX_DELIVERY_ATTEMPTS = 2;

  public static void main(String[] args) throws Exception {
    try (Fermata fermata =
        Fermata.builder()
            .store(SqliteStore.open(Path.of(args[0])))
            .maxDeliveryAttempts(MAX_DELIVERY_ATTEMPTS)
            .orchestrator(
                "Guarded",
                ctx -> {
                  try {
                    return ctx.callActivity("Halt", null, String.class).await();
                  } catch (TaskFailedException e) {
                    return "caught " + e.getFailureDetails().errorMessage();
                  }
                })
            .activity(
                "Halt",
                ctx -> {
                  System.out.println("RUN " + ctx.getDeliveryCount());
                  System.out.flush();
                  Runtime.getRuntime().halt(3);
                  return "unreachable";
                })
            .build()
            .start()) {
      if (args[1].equals("start")) {
        fermata.client().scheduleNew("Guarded", null, StartOptions.withId(INSTANCE));
      }
      String output =
          fermata
              .client()
              .waitForCompletion(INSTANCE, Duration.ofMinutes(2))
              .readOutputAs(String.class);
      System.out.println("DONE " + output);
      System.out.flush();
      while (System.in.read() >= 0) {
        // runs until stdin closes
      }
    }
  }
}
