package dev.fermata.samples.notifysupport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the notify support sample.
 *
 * @param onCall the support contacts, in the order they are notified
 * @param callbackTimeout how long each notification waits for the contact's callback
 * @param maxNotificationsPerContact how many times one contact is notified before moving on
 */
public record NotifySupportSettings(
    List<SupportContact> onCall, Duration callbackTimeout, int maxNotificationsPerContact) {

  /** A rota of three, one minute per notification, three notifications per contact. */
  public static final NotifySupportSettings DEFAULTS =
      new NotifySupportSettings(
          List.of(
              new SupportContact("Ada", "+31600000001"),
              new SupportContact("Grace", "+31600000002"),
              new SupportContact("Linus", "+31600000003")),
          Duration.ofMinutes(1),
          3);

  public NotifySupportSettings {
    onCall = List.copyOf(Objects.requireNonNull(onCall, "onCall"));
    for (SupportContact contact : onCall) {
      if (contact.phoneNumber() == null || contact.phoneNumber().isBlank()) {
        throw new IllegalArgumentException("Support contact " + contact + " has no phone number");
      }
    }
    Objects.requireNonNull(callbackTimeout, "callbackTimeout");
    if (callbackTimeout.isNegative() || callbackTimeout.isZero()) {
      throw new IllegalArgumentException(
          "callbackTimeout must be positive, got " + callbackTimeout);
    }
    if (maxNotificationsPerContact < 1) {
      throw new IllegalArgumentException(
          "maxNotificationsPerContact must be at least 1, got " + maxNotificationsPerContact);
    }
  }
}
