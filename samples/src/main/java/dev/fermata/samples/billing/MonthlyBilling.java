package dev.fermata.samples.billing;

import dev.fermata.Fermata;
import dev.fermata.OrchestrationContext;
import dev.fermata.Task;
import dev.fermata.TaskFailedException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Monthly billing: charge every subscription that is due, tell each user, then build the invoice
 * report and send it to the client. Each subscription is charged and then mailed independently of
 * the others, all in parallel; every call retries.
 *
 * <p>Activities run at least once: after a crash, a call whose result was not yet recorded runs
 * again. So every side effect carries an idempotency key derived from the instance id and the
 * subscription ({@code <instance>/charge/<subscription>}); the payment service and the outbox do
 * each key once. Keys from anything that changes between tries (a random id, the time) would charge
 * twice.
 */
public final class MonthlyBilling {
  public static final String ORCHESTRATOR = "O_ProcessBillingSubscription";
  public static final String GET_SUBSCRIPTIONS = "A_GetSubscriptionListToBill";
  public static final String CHARGE = "A_ChargeUserSubscription";
  public static final String SEND_EMAIL = "A_SendEmail";
  public static final String GENERATE_INVOICE = "A_GenerateInvoice";

  private static final Logger log = LoggerFactory.getLogger(MonthlyBilling.class);

  private MonthlyBilling() {}

  /**
   * The instance id of the run for {@code day}. Starting runs under it makes a second start on the
   * same day (a trigger that fires twice, a retried HTTP call) find the first run instead of
   * billing again.
   */
  public static String instanceIdFor(LocalDate day) {
    return "billing-" + day;
  }

  /** Adds the sample's orchestrator and activities to {@code builder}. */
  public static Fermata.Builder register(
      Fermata.Builder builder, BillingSettings settings, BillingSystems systems) {
    Objects.requireNonNull(systems, "systems");
    return builder
        .orchestrator(ORCHESTRATOR, LocalDate.class, (ctx, day) -> bill(ctx, day, settings))
        .activity(
            GET_SUBSCRIPTIONS, LocalDate.class, (ctx, day) -> systems.subscriptions().dueOn(day))
        .activity(
            CHARGE,
            ChargeRequest.class,
            (ctx, request) -> {
              Subscription s = request.subscription();
              String paymentId = systems.payments().charge(request);
              systems.subscriptions().markBilled(s.id(), s.nextBillingDate());
              return new PaymentResponse(s.id(), s.userEmail(), s.amountCents(), paymentId, null);
            })
        .activity(
            SEND_EMAIL,
            Email.class,
            (ctx, email) -> {
              if (systems.outbox().send(email)) {
                log.info("Email to {}: {}", email.to(), email.subject());
              }
              return null;
            })
        .activity(GENERATE_INVOICE, InvoiceRequest.class, (ctx, run) -> invoice(run));
  }

  /**
   * One billing run for {@code billingDay}: the timer passes the day of its occurrence, so a run
   * that starts late still bills the right day; without one, the run bills the day it starts.
   */
  static InvoiceReport bill(
      OrchestrationContext ctx, LocalDate billingDay, BillingSettings settings) {
    LocalDate day =
        billingDay != null ? billingDay : LocalDate.ofInstant(ctx.currentTime(), ZoneOffset.UTC);
    List<Subscription> due =
        List.of(
            ctx.callActivity(GET_SUBSCRIPTIONS, day, settings.retryPolicy(), Subscription[].class)
                .await());

    // As in the original, each subscription is a chain of its own: charge, then tell the user.
    // All charges start at once; whichever finishes first gets its email first, so a slow or
    // retrying charge holds back no other user's email.
    Map<Task<PaymentResponse>, Subscription> charging = new LinkedHashMap<>();
    for (Subscription s : due) {
      ChargeRequest request = new ChargeRequest(key(ctx, "charge", s.id()), s);
      charging.put(
          ctx.callActivity(CHARGE, request, settings.chargeRetryPolicy(), PaymentResponse.class),
          s);
    }
    Map<String, PaymentResponse> outcomes = new HashMap<>();
    List<Task<Void>> userEmails = new ArrayList<>();
    while (!charging.isEmpty()) {
      @SuppressWarnings("unchecked")
      Task<PaymentResponse> charged =
          (Task<PaymentResponse>) Task.anyOf(List.copyOf(charging.keySet())).await();
      PaymentResponse payment = outcome(charged, charging.remove(charged));
      outcomes.put(payment.subscriptionId(), payment);
      Email email = userEmail(key(ctx, "email", payment.subscriptionId()), payment, day);
      userEmails.add(ctx.callActivity(SEND_EMAIL, email, settings.retryPolicy(), Void.class));
    }
    Task.allOf(userEmails).await();
    List<PaymentResponse> payments = new ArrayList<>();
    for (Subscription s : due) {
      payments.add(outcomes.get(s.id()));
    }

    InvoiceReport invoice =
        ctx.callActivity(
                GENERATE_INVOICE,
                new InvoiceRequest(day, payments),
                settings.retryPolicy(),
                InvoiceReport.class)
            .await();
    Email report =
        new Email(
            key(ctx, "invoice", "report"),
            settings.clientEmail(),
            "Invoice report " + day,
            invoice.toText());
    ctx.callActivity(SEND_EMAIL, report, settings.retryPolicy(), Void.class).await();
    return invoice;
  }

  /** A charge that failed on every try is reported to the user, not fatal to the run. */
  private static PaymentResponse outcome(Task<PaymentResponse> charge, Subscription s) {
    try {
      return charge.await();
    } catch (TaskFailedException e) {
      return PaymentResponse.failed(s, e.getFailureDetails().errorMessage());
    }
  }

  static String key(OrchestrationContext ctx, String what, String id) {
    return ctx.getInstanceId() + "/" + what + "/" + id;
  }

  static Email userEmail(String key, PaymentResponse p, LocalDate day) {
    String amount = InvoiceReport.money(p.amountCents());
    if (p.charged()) {
      return new Email(
          key,
          p.userEmail(),
          "Your subscription was renewed",
          "We charged " + amount + " for your subscription (payment " + p.paymentId() + ").");
    }
    return new Email(
        key,
        p.userEmail(),
        "We could not renew your subscription",
        "Charging " + amount + " on " + day + " failed: " + p.error() + ". We will try again.");
  }

  static InvoiceReport invoice(InvoiceRequest run) {
    List<InvoiceReport.Line> lines = new ArrayList<>();
    long total = 0;
    int failed = 0;
    for (PaymentResponse p : run.payments()) {
      if (p.charged()) {
        total += p.amountCents();
        lines.add(
            new InvoiceReport.Line(
                p.subscriptionId(), p.userEmail(), p.amountCents(), p.paymentId()));
      } else {
        failed++;
        lines.add(
            new InvoiceReport.Line(
                p.subscriptionId(), p.userEmail(), p.amountCents(), "FAILED: " + p.error()));
      }
    }
    return new InvoiceReport(run.billingDate(), lines, total, failed);
  }
}
