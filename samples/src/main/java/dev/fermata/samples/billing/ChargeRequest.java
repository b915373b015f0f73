package dev.fermata.samples.billing;

/**
 * The input of {@code A_ChargeUserSubscription}.
 *
 * @param idempotencyKey the same for every try of this charge, so the payment service charges once
 */
public record ChargeRequest(String idempotencyKey, Subscription subscription) {}
