package dev.fermata.samples.billing;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The systems the billing run works with, simulated and kept in one SQLite file: the subscription
 * store, the payment service and the email outbox.
 */
public final class BillingSystems implements AutoCloseable {
  private final BillingDatabase db;
  private final SubscriptionStore subscriptions;
  private final PaymentService payments;
  private final EmailOutbox outbox;

  private BillingSystems(BillingDatabase db, FaultPlan faults, Duration paymentLatency) {
    this.db = db;
    this.subscriptions = new SubscriptionStore(db);
    this.payments = new PaymentService(db, faults, paymentLatency);
    this.outbox = new EmailOutbox(db);
  }

  /**
   * Opens (or creates) the systems' database.
   *
   * @param faults when the payment service fails
   * @param paymentLatency how long each payment request takes
   */
  public static BillingSystems open(Path file, FaultPlan faults, Duration paymentLatency) {
    return new BillingSystems(BillingDatabase.open(file), faults, paymentLatency);
  }

  public SubscriptionStore subscriptions() {
    return subscriptions;
  }

  public PaymentService payments() {
    return payments;
  }

  public EmailOutbox outbox() {
    return outbox;
  }

  @Override
  public void close() {
    db.close();
  }
}
