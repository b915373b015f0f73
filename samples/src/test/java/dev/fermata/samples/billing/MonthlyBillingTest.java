package dev.fermata.samples.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FermataClient.StartOptions;
import dev.fermata.RetryPolicy;
import dev.fermata.samples.SampleEngine;
import dev.fermata.samples.billing.FaultPlan.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonthlyBillingTest {
  private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);

  @TempDir Path dir;

  /** Lets a charge held by the test go on. */
  private final CountDownLatch release = new CountDownLatch(1);

  private BillingSystems systems;
  private SampleEngine engine;

  private void start(FaultPlan faults, int attempts) {
    systems = BillingSystems.open(dir.resolve("billing.db"), faults, Duration.ZERO);
    RetryPolicy retry =
        RetryPolicy.builder(attempts, Duration.ofMillis(10))
            .backoffCoefficient(2)
            .maxRetryInterval(Duration.ofMillis(100))
            .build();
    var settings = new BillingSettings("0 0 1 * * *", retry, retry, "client@example.com");
    engine = SampleEngine.start(dir, b -> MonthlyBilling.register(b, settings, systems));
  }

  private void subscribe(String id, long cents, LocalDate due) {
    systems.subscriptions().save(new Subscription(id, id + "@example.com", "pro", cents, due));
  }

  private InvoiceReport runBilling() {
    return engine.awaitCompleted(startBilling(null, TODAY)).readOutputAs(InvoiceReport.class);
  }

  /** Starts the run for {@code day}; a null {@code input} lets it bill the day it runs. */
  private String startBilling(LocalDate input, LocalDate day) {
    return engine
        .client()
        .scheduleNew(
            MonthlyBilling.ORCHESTRATOR,
            input,
            StartOptions.withId(MonthlyBilling.instanceIdFor(day)));
  }

  private List<Email> sentTo(String subscription) {
    return systems.outbox().sent().stream()
        .filter(e -> e.to().equals(subscription + "@example.com"))
        .toList();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (engine != null) {
      engine.close();
    }
    if (systems != null) {
      systems.close();
    }
  }

  @Test
  void chargesEverySubscriptionDue_mailsEachUser_andSendsTheInvoice() {
    start(FaultPlan.none(), 3);
    subscribe("s-1", 1000, TODAY);
    subscribe("s-2", 2550, TODAY.minusDays(3));
    subscribe("s-3", 499, TODAY.minusDays(10));
    subscribe("later", 999, TODAY.plusDays(1));

    InvoiceReport invoice = runBilling();

    assertThat(invoice.totalChargedCents()).isEqualTo(1000 + 2550 + 499);
    assertThat(invoice.failedCharges()).isZero();
    assertThat(invoice.lines())
        .extracting(InvoiceReport.Line::subscriptionId)
        .containsExactly("s-1", "s-2", "s-3");
    assertThat(systems.payments().chargesPerSubscription())
        .isEqualTo(Map.of("s-1", 1, "s-2", 1, "s-3", 1));
    List<Email> sent = systems.outbox().sent();
    assertThat(sent).hasSize(4);
    assertThat(sent.subList(0, 3))
        .extracting(Email::subject)
        .containsOnly("Your subscription was renewed");
    Email report = sent.get(3);
    assertThat(report.to()).isEqualTo("client@example.com");
    assertThat(report.body()).contains("Charged 40.49 in total; 0 charge(s) failed.");
    assertThat(report.idempotencyKey()).isEqualTo("billing-" + TODAY + "/invoice/report");
    // Charged subscriptions move on a month; the one not yet due is untouched.
    assertThat(systems.subscriptions().dueOn(TODAY)).isEmpty();
    assertThat(systems.subscriptions().dueOn(TODAY.plusDays(1)))
        .extracting(Subscription::id)
        .containsExactly("later");
  }

  @Test
  void aFlakyPaymentServiceStillChargesEachSubscriptionOnce() {
    start(FaultPlan.random(0.5, 42), 10);
    for (int i = 1; i <= 8; i++) {
      subscribe("s-" + i, 100L * i, TODAY);
    }

    InvoiceReport invoice = runBilling();

    assertThat(invoice.failedCharges()).isZero();
    assertThat(invoice.totalChargedCents()).isEqualTo(100L * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8));
    assertThat(systems.payments().chargesPerSubscription())
        .hasSize(8)
        .containsOnlyKeys("s-1", "s-2", "s-3", "s-4", "s-5", "s-6", "s-7", "s-8");
    assertThat(systems.payments().chargesPerSubscription().values()).containsOnly(1);
    Map<String, Integer> outcomes = systems.payments().requestOutcomes();
    assertThat(outcomes.get("charged")).isEqualTo(8);
    // With this seed some answers were lost after charging: the retries repeated the key.
    assertThat(outcomes.get("repeat")).isPositive();
    assertThat(outcomes.get("unavailable")).isPositive();
    assertThat(systems.outbox().sent()).hasSize(9);
  }

  @Test
  void aChargeThatKeepsFailingIsReportedAndStaysDue() {
    FaultPlan declineS2 =
        request -> request.subscription().id().equals("s-2") ? Fault.UNAVAILABLE : Fault.NONE;
    start(declineS2, 3);
    subscribe("s-1", 1000, TODAY);
    subscribe("s-2", 2000, TODAY);

    InvoiceReport invoice = runBilling();

    assertThat(invoice.totalChargedCents()).isEqualTo(1000);
    assertThat(invoice.failedCharges()).isEqualTo(1);
    assertThat(invoice.lines().get(1).outcome())
        .isEqualTo("FAILED: The payment service is unavailable (503)");
    assertThat(systems.payments().requestOutcomes()).containsEntry("unavailable", 3);
    assertThat(systems.outbox().sent())
        .filteredOn(e -> e.to().equals("s-2@example.com"))
        .singleElement()
        .satisfies(e -> assertThat(e.subject()).isEqualTo("We could not renew your subscription"));
    assertThat(systems.subscriptions().dueOn(TODAY))
        .extracting(Subscription::id)
        .containsExactly("s-2");
  }

  /** Holds a charge until the test releases it (or the wait runs out). */
  private void awaitRelease() {
    try {
      release.await(SampleEngine.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aSlowChargeHoldsBackNoOtherUsersEmail() {
    FaultPlan holdS1 =
        request -> {
          if (request.subscription().id().equals("s-1")) {
            awaitRelease();
          }
          return Fault.NONE;
        };
    start(holdS1, 3);
    subscribe("s-1", 1000, TODAY);
    subscribe("s-2", 2000, TODAY);
    subscribe("s-3", 3000, TODAY);

    String id = startBilling(null, TODAY);
    // s-1's charge hangs; the others are charged and their users told meanwhile.
    SampleEngine.awaitCondition(
        "s-2 and s-3 mailed while s-1 is being charged",
        () -> sentTo("s-2").size() == 1 && sentTo("s-3").size() == 1);
    assertThat(sentTo("s-1")).isEmpty();
    assertThat(systems.payments().chargesPerSubscription()).doesNotContainKey("s-1");

    release.countDown();
    InvoiceReport invoice = engine.awaitCompleted(id).readOutputAs(InvoiceReport.class);

    assertThat(invoice.lines())
        .extracting(InvoiceReport.Line::subscriptionId)
        .containsExactly("s-1", "s-2", "s-3");
    assertThat(invoice.totalChargedCents()).isEqualTo(6000);
    assertThat(sentTo("s-1"))
        .singleElement()
        .satisfies(e -> assertThat(e.subject()).isEqualTo("Your subscription was renewed"));
    List<Email> sent = systems.outbox().sent();
    assertThat(sent).hasSize(4);
    assertThat(sent.get(3).to()).isEqualTo("client@example.com");
  }

  @Test
  void aFailingChargeHoldsBackNoOtherUsersEmail() {
    // s-1 fails on every try, and its last try is held until the others are mailed.
    FaultPlan failS1 =
        request -> {
          if (!request.subscription().id().equals("s-1")) {
            return Fault.NONE;
          }
          if (systems.payments().requestOutcomes().getOrDefault("unavailable", 0) == 2) {
            awaitRelease();
          }
          return Fault.UNAVAILABLE;
        };
    start(failS1, 3);
    subscribe("s-1", 1000, TODAY);
    subscribe("s-2", 2000, TODAY);

    String id = startBilling(null, TODAY);
    SampleEngine.awaitCondition(
        "s-2 mailed while s-1's charge retries", () -> sentTo("s-2").size() == 1);
    assertThat(sentTo("s-1")).isEmpty();

    release.countDown();
    InvoiceReport invoice = engine.awaitCompleted(id).readOutputAs(InvoiceReport.class);

    assertThat(invoice.failedCharges()).isEqualTo(1);
    assertThat(sentTo("s-1"))
        .singleElement()
        .satisfies(e -> assertThat(e.subject()).isEqualTo("We could not renew your subscription"));
  }

  @Test
  void billsTheDayOfTheRunItIsGiven_notToday() {
    FaultPlan declineS2 =
        request -> request.subscription().id().equals("s-2") ? Fault.UNAVAILABLE : Fault.NONE;
    start(declineS2, 2);
    LocalDate day = TODAY.minusDays(40);
    subscribe("s-1", 1000, day.minusDays(1));
    subscribe("s-2", 2000, day);
    subscribe("due-today", 3000, TODAY);

    String id = startBilling(day, day);
    InvoiceReport invoice = engine.awaitCompleted(id).readOutputAs(InvoiceReport.class);

    assertThat(invoice.billingDate()).isEqualTo(day);
    assertThat(invoice.lines())
        .extracting(InvoiceReport.Line::subscriptionId)
        .containsExactly("s-1", "s-2");
    assertThat(sentTo("s-2"))
        .singleElement()
        .satisfies(e -> assertThat(e.body()).contains("on " + day + " failed"));
    assertThat(systems.outbox().sent())
        .filteredOn(e -> e.to().equals("client@example.com"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.subject()).isEqualTo("Invoice report " + day);
              assertThat(e.body()).startsWith("Billing run of " + day);
              assertThat(e.idempotencyKey()).isEqualTo("billing-" + day + "/invoice/report");
            });
    assertThat(sentTo("due-today")).isEmpty();
  }
}
