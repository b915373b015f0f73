package dev.fermata.samples.billing;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated mail server's outbox: it keeps what it sends, and sends each idempotency key once, so
 * a retried or re-run {@code A_SendEmail} never mails anybody twice.
 */
public final class EmailOutbox {
  private final BillingDatabase db;

  EmailOutbox(BillingDatabase db) {
    this.db = db;
  }

  /**
   * Sends the email unless one with the same idempotency key was sent already.
   *
   * @return true if it was sent now, false if it had been sent before
   */
  public boolean send(Email email) {
    return db.inTransaction(
        c -> {
          try (PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO emails (idempotency_key, recipient, subject, body, sent_at)"
                      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING")) {
            insert.setString(1, email.idempotencyKey());
            insert.setString(2, email.to());
            insert.setString(3, email.subject());
            insert.setString(4, email.body());
            insert.setString(5, Instant.now().toString());
            return insert.executeUpdate() == 1;
          }
        });
  }

  /** Every email sent, oldest first. */
  public List<Email> sent() {
    return db.inTransaction(
        c -> {
          List<Email> sent = new ArrayList<>();
          try (PreparedStatement query =
                  c.prepareStatement(
                      "SELECT idempotency_key, recipient, subject, body FROM emails ORDER BY id");
              ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
              sent.add(
                  new Email(
                      rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)));
            }
          }
          return sent;
        });
  }
}
