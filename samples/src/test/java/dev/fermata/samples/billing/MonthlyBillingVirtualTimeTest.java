package dev.fermata.samples.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.host.FermataHost;
import dev.fermata.host.HostConfig;
import dev.fermata.testing.FermataTestEnvironment;
import dev.fermata.testing.VirtualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario in virtual time: its daily timer trigger over three months, in the real host, and
 * its retry policies (10 attempts, the charge's doubling from 10 s).
 */
class MonthlyBillingVirtualTimeTest {
  private static final Instant RUN = Instant.parse("2027-03-01T01:00:00Z");
  private static final LocalDate DAY = LocalDate.parse("2027-03-01");

  @TempDir Path dir;

  @Test
  void aPaymentServiceDownForNineTries_isWaitedOutWithTheScenariosBackoff() {
    AtomicInteger requests = new AtomicInteger();
    FaultPlan downNineTimes =
        request ->
            requests.incrementAndGet() <= 9 ? FaultPlan.Fault.UNAVAILABLE : FaultPlan.Fault.NONE;
    try (BillingSystems systems =
            BillingSystems.open(dir.resolve("billing.db"), downNineTimes, Duration.ZERO);
        FermataTestEnvironment env =
            FermataTestEnvironment.builder()
                .startAt(RUN)
                .functions(b -> MonthlyBilling.register(b, BillingSettings.DEFAULTS, systems))
                .start()) {
      systems.subscriptions().save(new Subscription("s-1", "ana@example.com", "pro", 1000, DAY));
      String id =
          env.client()
              .scheduleNew(
                  MonthlyBilling.ORCHESTRATOR,
                  null,
                  StartOptions.withId(MonthlyBilling.instanceIdFor(DAY)));

      InvoiceReport invoice = env.waitForCompletion(id).readOutputAs(InvoiceReport.class);

      assertThat(invoice.billingDate()).isEqualTo(DAY);
      assertThat(invoice.failedCharges()).isZero();
      assertThat(invoice.totalChargedCents()).isEqualTo(1000);
      assertThat(requests).hasValue(10);
      // Waits of 10, 20, 40 ... 2,560 seconds between the ten tries: 5,110 s in all.
      assertThat(env.now()).isAfterOrEqualTo(RUN.plusSeconds(5110));
    }
  }

  @Test
  void theDailyTimer_chargesEachSubscriptionOnceAMonth_overThreeMonths() {
    VirtualClock clock = new VirtualClock(Instant.parse("2027-03-01T00:00:00Z"));
    HostConfig config =
        HostConfig.defaults()
            .withGrpcPort(null)
            .withPort(0)
            .withStorage("sqlite", Map.of("path", dir.resolve("host.db").toString()));
    try (BillingSystems systems =
            BillingSystems.open(dir.resolve("billing.db"), FaultPlan.none(), Duration.ZERO);
        FermataHost host =
            FermataHost.builder(config)
                .clock(clock)
                .module(new BillingModule(BillingSettings.DEFAULTS, systems))
                .build()
                .start();
        FermataTestEnvironment env = FermataTestEnvironment.attach(host.fermata(), clock)) {
      systems.subscriptions().save(new Subscription("s-1", "ana@example.com", "pro", 1000, DAY));
      systems
          .subscriptions()
          .save(new Subscription("s-2", "bo@example.com", "team", 2500, DAY.plusDays(14)));

      // From March 1st, 00:00, to June 1st: the trigger fires daily at 01:00, 92 times.
      env.advance(Duration.ofDays(92));

      List<InstanceState> runs =
          host.fermata()
              .client()
              .query(InstanceQuery.all().withInstanceIdPrefix("billing-").withPageSize(1000))
              .instances();
      assertThat(runs).hasSize(92).allMatch(r -> r.getStatus() == OrchestrationStatus.COMPLETED);
      assertThat(host.timerRuns()).isEqualTo(92);
      // Each subscription is charged on its day of the month: March, April and May.
      assertThat(systems.payments().chargesPerSubscription())
          .containsEntry("s-1", 3)
          .containsEntry("s-2", 3);
      assertThat(systems.subscriptions().dueOn(LocalDate.parse("2027-06-01")))
          .extracting(Subscription::id)
          .containsExactly("s-1");
      assertThat(env.now()).isEqualTo(Instant.parse("2027-06-01T00:00:00Z"));
    }
  }
}
