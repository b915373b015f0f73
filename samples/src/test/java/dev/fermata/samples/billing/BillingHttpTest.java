package dev.fermata.samples.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.RetryPolicy;
import dev.fermata.samples.SampleEngine;
import dev.fermata.samples.SampleHost;
import dev.fermata.samples.billing.FaultPlan.Fault;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The billing sample in a real host: started by its timer trigger, or over HTTP. */
class BillingHttpTest {
  private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
  private static final RetryPolicy FAST =
      RetryPolicy.builder(3, Duration.ofMillis(10)).backoffCoefficient(2).build();

  @TempDir Path dir;
  private BillingSystems systems;

  private SampleHost start(String schedule, FaultPlan faults) {
    systems = BillingSystems.open(dir.resolve("billing.db"), faults, Duration.ZERO);
    systems.subscriptions().save(new Subscription("s-1", "a@example.com", "pro", 1000, TODAY));
    systems.subscriptions().save(new Subscription("s-2", "b@example.com", "pro", 2000, TODAY));
    var settings = new BillingSettings(schedule, FAST, FAST, "client@example.com");
    return SampleHost.start(dir, new BillingModule(settings, systems));
  }

  @AfterEach
  void closeSystems() {
    if (systems != null) {
      systems.close();
    }
  }

  @Test
  void theTimerStartsTodaysRunOnce_whichChargesEverythingDue() throws Exception {
    // Every second: the trigger fires again and again, but the day's run starts only once.
    try (SampleHost host = start("* * * * * *", FaultPlan.none())) {
      JsonNode done = host.awaitStatus(MonthlyBilling.instanceIdFor(TODAY), "Completed");

      assertThat(done.get("name").asText()).isEqualTo("O_ProcessBillingSubscription");
      assertThat(done.get("input").asText())
          .as("the billing day, from the timer occurrence")
          .isEqualTo(TODAY.toString());
      assertThat(done.get("output").get("totalChargedCents").asLong()).isEqualTo(3000);
      assertThat(done.get("output").get("failedCharges").asInt()).isZero();
      long runsSoFar = host.host().timerRuns();
      SampleEngine.awaitCondition(
          "the timer fired twice more", () -> host.host().timerRuns() >= runsSoFar + 2);
      assertThat(systems.payments().chargesPerSubscription())
          .containsEntry("s-1", 1)
          .containsEntry("s-2", 1);
      assertThat(systems.outbox().sent()).hasSize(3);
      JsonNode runs =
          SampleHost.json(
              host.get("/runtime/webhooks/durabletask/instances?instanceIdPrefix=billing-"));
      assertThat(runs).hasSize(1);
    }
  }

  @Test
  void overHttp_aChargeThatKeepsFailingIsReportedInTheInvoice() throws Exception {
    FaultPlan declineS2 =
        request -> request.subscription().id().equals("s-2") ? Fault.UNAVAILABLE : Fault.NONE;
    // A schedule that does not fire during the test: the run is started over HTTP.
    try (SampleHost host = start("0 0 1 1 1 *", declineS2)) {
      HttpResponse<String> started =
          host.post("/api/orchestrators/O_ProcessBillingSubscription/billing-manual", null);
      assertThat(started.statusCode()).isEqualTo(202);

      JsonNode invoice = host.awaitStatus("billing-manual", "Completed").get("output");
      assertThat(invoice.get("totalChargedCents").asLong()).isEqualTo(1000);
      assertThat(invoice.get("failedCharges").asInt()).isEqualTo(1);
      assertThat(invoice.get("lines").get(1).get("outcome").asText())
          .isEqualTo("FAILED: The payment service is unavailable (503)");
      assertThat(systems.subscriptions().dueOn(TODAY))
          .extracting(Subscription::id)
          .containsExactly("s-2");
    }
  }
}
