package dev.fermata.samples.billing;

import dev.fermata.RetryPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the monthly billing sample.
 *
 * @param schedule when the timer trigger starts a run (NCRONTAB with seconds)
 * @param retryPolicy for every activity but the charge
 * @param chargeRetryPolicy for {@code A_ChargeUserSubscription}: exponential backoff, because a
 *     struggling payment service needs room to recover
 * @param clientEmail who receives the invoice report
 */
public record BillingSettings(
    String schedule, RetryPolicy retryPolicy, RetryPolicy chargeRetryPolicy, String clientEmail) {

  /**
   * The values of the original scenario: every day at 01:00, retries 10 seconds apart, 10 attempts
   * (the charge doubling the interval each time).
   */
  public static final BillingSettings DEFAULTS =
      new BillingSettings(
          "0 0 1 * * *",
          RetryPolicy.of(10, Duration.ofSeconds(10)),
          RetryPolicy.builder(10, Duration.ofSeconds(10)).backoffCoefficient(2).build(),
          "billing@example.com");

  public BillingSettings {
    Objects.requireNonNull(schedule, "schedule");
    if (schedule.strip().split("\\s+").length != 6) {
      throw new IllegalArgumentException(
          "schedule must be an NCRONTAB expression of 6 fields (second minute hour day month"
              + " day-of-week), got '"
              + schedule
              + "'");
    }
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    Objects.requireNonNull(chargeRetryPolicy, "chargeRetryPolicy");
    if (clientEmail == null || clientEmail.isBlank()) {
      throw new IllegalArgumentException("clientEmail is required");
    }
  }
}
