package dev.fermata.samples.billing;

import java.time.LocalDate;
import java.util.List;

/**
 * What {@code A_GenerateInvoice} builds from a billing run: one line per subscription and totals.
 *
 * @param totalChargedCents the sum of the successful charges
 * @param failedCharges how many subscriptions could not be charged
 */
public record InvoiceReport(
    LocalDate billingDate, List<Line> lines, long totalChargedCents, int failedCharges) {

  /** One subscription's outcome. */
  public record Line(String subscriptionId, String userEmail, long amountCents, String outcome) {}

  public InvoiceReport {
    lines = List.copyOf(lines);
  }

  /** The report as the email to the client shows it. */
  public String toText() {
    StringBuilder sb = new StringBuilder("Billing run of " + billingDate + "\n");
    for (Line line : lines) {
      sb.append(
          String.format(
              "%-12s %-32s %10s  %s%n",
              line.subscriptionId(), line.userEmail(), money(line.amountCents()), line.outcome()));
    }
    sb.append(
        String.format(
            "Charged %s in total; %d charge(s) failed.%n",
            money(totalChargedCents), failedCharges));
    return sb.toString();
  }

  static String money(long cents) {
    return String.format("%d.%02d", cents / 100, cents % 100);
  }
}
