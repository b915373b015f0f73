package dev.fermata.server;

import dev.fermata.host.FunctionModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * A host process for {@link SigtermIT}: the orchestration "Slow" runs the activity "Work", which
 * records its start, waits until the test creates the file {@code release}, and records its end;
 * then the activity "After" runs, and logs a line through SLF4J.
 */
public final class SlowHostMain {
  private SlowHostMain() {}

  public static void main(String[] args) {
    Path dir = Path.of(System.getProperty("test.dir"));
    FunctionModule slow =
        host ->
            host.orchestrator(
                    "Slow",
                    ctx -> {
                      String work = ctx.callActivity("Work", null, String.class).await();
                      return work + "+" + ctx.callActivity("After", null, String.class).await();
                    })
                .activity(
                    "Work",
                    ctx -> {
                      append(dir.resolve("work-started"), ctx.getDeliveryCount());
                      while (!Files.exists(dir.resolve("release"))) {
                        Thread.sleep(Duration.ofMillis(20));
                      }
                      append(dir.resolve("work-finished"), ctx.getDeliveryCount());
                      return "work";
                    })
                .activity(
                    "After",
                    ctx -> {
                      append(dir.resolve("after"), ctx.getDeliveryCount());
                      LoggerFactory.getLogger("After").info("after ran");
                      return "after";
                    });
    System.exit(Main.serve(Arrays.asList(args), () -> List.of(slow)));
  }

  private static void append(Path file, int deliveryCount) throws java.io.IOException {
    Files.writeString(
        file, "run " + deliveryCount + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
