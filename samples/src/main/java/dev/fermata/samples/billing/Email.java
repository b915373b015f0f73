package dev.fermata.samples.billing;

/**
 * The input of {@code A_SendEmail}.
 *
 * @param idempotencyKey the same for every try of this email, so the outbox sends it once
 */
public record Email(String idempotencyKey, String to, String subject, String body) {}
