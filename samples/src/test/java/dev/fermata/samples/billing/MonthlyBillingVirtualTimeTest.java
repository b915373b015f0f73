package dev.fermata.samples.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FermataClient.StartOptions;
import dev.fermata.testing.FermataTestEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario's retry policies (10 attempts, the charge's doubling from 10 s), in virtual time.
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
}
