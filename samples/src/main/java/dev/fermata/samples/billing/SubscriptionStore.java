package dev.fermata.samples.billing;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** The subscriptions the billing run charges: the sample's small store of them. */
public final class SubscriptionStore {
  private final BillingDatabase db;

  SubscriptionStore(BillingDatabase db) {
    this.db = db;
  }

  /** Adds or replaces a subscription. */
  public void save(Subscription s) {
    db.inTransaction(
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement("INSERT OR REPLACE INTO subscriptions VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, s.id());
            insert.setString(2, s.userEmail());
            insert.setString(3, s.plan());
            insert.setLong(4, s.amountCents());
            insert.setString(5, s.nextBillingDate().toString());
            return insert.executeUpdate();
          }
        });
  }

  /** How many subscriptions the store holds. */
  public int count() {
    return db.inTransaction(
        c -> {
          try (PreparedStatement query = c.prepareStatement("SELECT COUNT(*) FROM subscriptions");
              ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getInt(1);
          }
        });
  }

  /** The subscriptions due on {@code day}: their next billing date is that day or earlier. */
  public List<Subscription> dueOn(LocalDate day) {
    return db.inTransaction(
        c -> {
          try (PreparedStatement query =
              c.prepareStatement(
                  "SELECT id, user_email, plan, amount_cents, next_billing_date FROM subscriptions"
                      + " WHERE next_billing_date <= ? ORDER BY id")) {
            query.setString(1, day.toString());
            List<Subscription> due = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                due.add(
                    new Subscription(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getString(3),
                        rows.getLong(4),
                        LocalDate.parse(rows.getString(5))));
              }
            }
            return due;
          }
        });
  }

  /**
   * Moves a charged subscription's billing date on by a month. Idempotent: only a subscription
   * still at {@code billed} moves, so a repeated call changes nothing.
   */
  public void markBilled(String subscriptionId, LocalDate billed) {
    db.inTransaction(
        c -> {
          try (PreparedStatement update =
              c.prepareStatement(
                  "UPDATE subscriptions SET next_billing_date = ?"
                      + " WHERE id = ? AND next_billing_date = ?")) {
            update.setString(1, billed.plusMonths(1).toString());
            update.setString(2, subscriptionId);
            update.setString(3, billed.toString());
            return update.executeUpdate();
          }
        });
  }
}
