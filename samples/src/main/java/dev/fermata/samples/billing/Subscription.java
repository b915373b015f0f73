package dev.fermata.samples.billing;

import java.time.LocalDate;

/**
 * A user's subscription, as the subscription store keeps it.
 *
 * @param amountCents the monthly price, in cents
 * @param nextBillingDate the day it is next due; moves on by a month once charged
 */
public record Subscription(
    String id, String userEmail, String plan, long amountCents, LocalDate nextBillingDate) {}
