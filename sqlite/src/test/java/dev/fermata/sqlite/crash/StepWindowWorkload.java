package dev.fermata.sqlite.crash;

import dev.fermata.Fermata;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.OrchestrationContext;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.sqlite.crash.CrashWorkload.ActivityLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link StepWindowIT}: one orchestration of two activity calls, with gates
 * (files) that stop it inside the two windows a step has. While {@value #HOLD_EPISODE} exists, the
 * episode that received the first call's result blocks before it can checkpoint: the result has
 * been handed to the orchestration in memory and is not durable yet. While {@value #HOLD_ACTIVITY}
 * exists, the second activity blocks as it starts: its task has been handed to the activity worker
 * and has not run. Each stop prints a line, and the parent kills the JVM there.
 */
public final class StepWindowWorkload {
  static final String INSTANCE = "steps";
  static final String HOLD_EPISODE = "hold-episode";
  static final String HOLD_ACTIVITY = "hold-activity";
  static final String LOG = "activity.log";

  private StepWindowWorkload() {}

  /** Args: the database path; {@code start} schedules the orchestration, {@code resume} not. */
  public static void main(String[] args) throws Exception {
    Path db = Path.of(args[0]);
    Path dir = db.getParent();
    try (ActivityLog log = ActivityLog.open(dir.resolve(LOG));
        Fermata engine = engine(db, dir, log).start()) {
      if (args[1].equals("start")) {
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

  private static Fermata engine(Path db, Path dir, ActivityLog log) {
    return Fermata.builder()
        .store(SqliteStore.open(db))
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .orchestrator("TwoSteps", Void.class, (ctx, input) -> twoSteps(ctx, dir))
        .activity(
            "Step",
            String.class,
            (ctx, call) -> {
              if (call.equals("second")) {
                holdWhile(dir.resolve(HOLD_ACTIVITY), "ACTIVITY_HELD");
              }
              log.record(ctx, call);
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
