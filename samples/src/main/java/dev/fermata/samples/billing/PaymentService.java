package dev.fermata.samples.billing;

import dev.fermata.samples.billing.FaultPlan.Fault;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A simulated payment service. Like real payment APIs it accepts an idempotency key with each
 * charge and answers a repeated key with the first charge instead of charging again; and it fails
 * now and then, as its {@link FaultPlan} says.
 */
public final class PaymentService {
  private final BillingDatabase db;
  private final FaultPlan faults;
  private final Duration latency;

  PaymentService(BillingDatabase db, FaultPlan faults, Duration latency) {
    this.db = db;
    this.faults = faults;
    this.latency = latency;
  }

  /**
   * Charges the subscription's amount once per idempotency key.
   *
   * @return the payment id (the same for every request with the same key)
   * @throws IOException when the service fails (see {@link FaultPlan.Fault})
   */
  public String charge(ChargeRequest request) throws IOException, InterruptedException {
    Thread.sleep(latency); // a remote call takes a while
    Fault fault = faults.next(request);
    if (fault == Fault.UNAVAILABLE) {
      log(request, "unavailable");
      throw new IOException("The payment service is unavailable (503)");
    }
    String paymentId = chargeOnce(request);
    if (fault == Fault.ANSWER_LOST) {
      throw new IOException("Connection reset while reading the payment service's answer");
    }
    return paymentId;
  }

  private String chargeOnce(ChargeRequest request) {
    return db.inTransaction(
        c -> {
          Subscription s = request.subscription();
          String outcome;
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO charges (idempotency_key, subscription_id, amount_cents, charged_at)"
                      + " VALUES (?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING")) {
            insert.setString(1, request.idempotencyKey());
            insert.setString(2, s.id());
            insert.setLong(3, s.amountCents());
            insert.setString(4, Instant.now().toString());
            outcome = insert.executeUpdate() == 1 ? "charged" : "repeat";
          }
          try (PreparedStatement log =
              c.prepareStatement(
                  "INSERT INTO payment_requests (idempotency_key, outcome) VALUES (?, ?)")) {
            log.setString(1, request.idempotencyKey());
            log.setString(2, outcome);
            log.executeUpdate();
          }
          try (PreparedStatement query =
              c.prepareStatement("SELECT payment_id FROM charges WHERE idempotency_key = ?")) {
            query.setString(1, request.idempotencyKey());
            try (ResultSet row = query.executeQuery()) {
              row.next();
              return "pay-" + row.getLong(1);
            }
          }
        });
  }

  private void log(ChargeRequest request, String outcome) {
    db.inTransaction(
        c -> {
          try (PreparedStatement log =
              c.prepareStatement(
                  "INSERT INTO payment_requests (idempotency_key, outcome) VALUES (?, ?)")) {
            log.setString(1, request.idempotencyKey());
            log.setString(2, outcome);
            return log.executeUpdate();
          }
        });
  }

  /** How many charges were made per subscription, over all time. */
  public Map<String, Integer> chargesPerSubscription() {
    return db.inTransaction(
        c -> {
          Map<String, Integer> counts = new HashMap<>();
          try (PreparedStatement query =
                  c.prepareStatement(
                      "SELECT subscription_id, COUNT(*) FROM charges GROUP BY subscription_id");
              ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
              counts.put(rows.getString(1), rows.getInt(2));
            }
          }
          return counts;
        });
  }

  /** How many requests ended each way ("charged", "repeat", "unavailable"). */
  public Map<String, Integer> requestOutcomes() {
    return db.inTransaction(
        c -> {
          Map<String, Integer> counts = new HashMap<>();
          try (PreparedStatement query =
                  c.prepareStatement(
                      "SELECT outcome, COUNT(*) FROM payment_requests GROUP BY outcome");
              ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
              counts.put(rows.getString(1), rows.getInt(2));
            }
          }
          return counts;
        });
  }
}
