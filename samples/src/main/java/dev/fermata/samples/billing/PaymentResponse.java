package dev.fermata.samples.billing;

/**
 * The outcome of charging one subscription.
 *
 * @param paymentId the payment service's id for the charge, or null if it failed
 * @param error why the charge failed, or null
 */
public record PaymentResponse(
    String subscriptionId, String userEmail, long amountCents, String paymentId, String error) {

  public boolean charged() {
    return paymentId != null;
  }

  static PaymentResponse failed(Subscription s, String error) {
    return new PaymentResponse(s.id(), s.userEmail(), s.amountCents(), null, error);
  }
}
