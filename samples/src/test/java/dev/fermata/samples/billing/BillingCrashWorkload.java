package dev.fermata.samples.billing;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.RetryPolicy;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The process {@link BillingCrashIT} kills: an engine on SQLite running one billing run against the
 * simulated systems, whose payment service is slow and fails now and then. Prints READY once
 * started, SCHEDULED once the run is durably started ({@code start} mode only), DONE when the run
 * has finished; closing its stdin stops it gracefully.
 */
public final class BillingCrashWorkload {
  static final int MAX_CONCURRENT_ACTIVITIES = 4;
  static final Duration PAYMENT_LATENCY = Duration.ofMillis(60);
  static final double FAILURE_RATE = 0.2;

  private BillingCrashWorkload() {}

  static String instanceId() {
    return MonthlyBilling.instanceIdFor(LocalDate.now(ZoneOffset.UTC));
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !(args[1].equals("start") || args[1].equals("resume"))) {
      System.err.println("usage: BillingCrashWorkload <dir> start|resume <seed>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[2]);
    RetryPolicy retry =
        RetryPolicy.builder(10, Duration.ofMillis(20))
            .backoffCoefficient(2)
            .maxRetryInterval(Duration.ofMillis(200))
            .build();
    var settings = new BillingSettings("0 0 1 * * *", retry, retry, "client@example.com");
    try (BillingSystems systems =
            BillingSystems.open(
                dir.resolve("billing.db"), FaultPlan.random(FAILURE_RATE, seed), PAYMENT_LATENCY);
        Fermata engine =
            MonthlyBilling.register(
                    Fermata.builder()
                        .store(SqliteStore.open(dir.resolve("fermata.db")))
                        .maxConcurrentActivities(MAX_CONCURRENT_ACTIVITIES)
                        .shutdownGracePeriod(Duration.ofSeconds(5)),
                    settings,
                    systems)
                .build()
                .start()) {
      say("READY");
      FermataClient client = engine.client();
      if (args[1].equals("start")) {
        client.scheduleNew(MonthlyBilling.ORCHESTRATOR, null, StartOptions.withId(instanceId()));
        say("SCHEDULED");
      }
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try {
                  client.waitForCompletion(instanceId(), Duration.ofMinutes(10));
                  say("DONE");
                } catch (RuntimeException e) {
                  // the engine is shutting down
                }
              });
      while (System.in.read() != -1) {
        // the parent never writes; end of input is the signal to stop
      }
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
