package dev.fermata.postgres.scaleout;

import dev.fermata.Fermata;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.OrchestrationContext;
import dev.fermata.postgres.PostgresOptions;
import dev.fermata.postgres.PostgresStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A worker process for {@link StepWindowIT}: one orchestration of two activity steps on a
 * PostgreSQL hub, which can be held inside either window of a step (while a gate file exists) so
 * that the test kills the process there. Every activity run appends its call to a log file.
 */
public final class StepWindowWorkload {
  static final String INSTANCE = "steps";
  static final String HOLD_EPISODE = "hold-episode";
  static final String HOLD_ACTIVITY = "hold-activity";
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
    try (Fermata engine = engine(store, dir).start()) {
      if (args[4].equals("start")) {
        engine.client().scheduleNew("TwoSteps", null, StartOptions.withId(INSTANCE));
      }
      say("READY");
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                engine.client().waitForCompletion(INSTANCE, Duration.ofMinutes(5));
                say("COMPLETED");
              });
      while (System.in.read() != -1) {
        // end of input is the signal to stop
      }
    }
  }

  private static Fermata engine(PostgresStore store, Path dir) {
    return Fermata.builder()
        .store(store)
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .orchestrator("TwoSteps", Void.class, (ctx, input) -> twoSteps(ctx, dir))
        .activity(
            "Step",
            String.class,
            (ctx, call) -> {
              if (call.equals("second")) {
                holdWhile(dir.resolve(HOLD_ACTIVITY), "ACTIVITY_HELD");
              }
              record(dir.resolve(LOG), call);
              return call + "!";
            })
        .build();
  }

  private static String twoSteps(OrchestrationContext ctx, Path dir) {
    String first = ctx.callActivity("Step", "first", String.class).await();
    if (!ctx.isReplaying()) {
      holdWhile(dir.resolve(HOLD_EPISODE), "EPISODE_HELD");
    }
    String second = ctx.callActivity("Step", "second", String.class).await();
    return first + second;
  }

  private static synchronized void record(Path log, String call) {
    try {
      Files.writeString(log, call + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Blocks (until the JVM is killed) while the gate file exists; says so once. */
  private static void holdWhile(Path gate, String line) {
    if (!Files.exists(gate)) {
      return;
    }
    say(line);
    while (Files.exists(gate)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
