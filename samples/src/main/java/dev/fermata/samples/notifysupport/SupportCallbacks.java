package dev.fermata.samples.notifysupport;

import dev.fermata.FermataClient;
import dev.fermata.InstanceStatusException;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code NotifySupportCallback} does with {@code {"phoneNumber": "..."}}: find the
 * orchestration waiting for that number and raise {@code Callback} on it.
 */
public final class SupportCallbacks {
  /** The HTTP function's name in the scenario. */
  public static final String FUNCTION_NAME = "NotifySupportCallback";

  private final FermataClient client;
  private final PhoneInstances phoneInstances;

  public SupportCallbacks(FermataClient client, PhoneInstances phoneInstances) {
    this.client = Objects.requireNonNull(client, "client");
    this.phoneInstances = Objects.requireNonNull(phoneInstances, "phoneInstances");
  }

  /**
   * Acknowledges for {@code phoneNumber}.
   *
   * @return the instance the callback was raised on; empty when nobody waits for that number (the
   *     HTTP function answers 404)
   * @throws IllegalArgumentException if the phone number is missing
   */
  public Optional<String> acknowledge(String phoneNumber) {
    if (phoneNumber == null || phoneNumber.isBlank()) {
      throw new IllegalArgumentException("phoneNumber is required, as {\"phoneNumber\": \"...\"}");
    }
    Optional<String> waiting = phoneInstances.find(client, phoneNumber.strip());
    if (waiting.isEmpty()) {
      return Optional.empty();
    }
    try {
      client.raiseEvent(waiting.get(), NotifySupport.CALLBACK_EVENT, true);
      return waiting;
    } catch (InstanceStatusException finishedMeanwhile) {
      return Optional.empty(); // it timed out and gave up between the lookup and the raise
    }
  }
}
