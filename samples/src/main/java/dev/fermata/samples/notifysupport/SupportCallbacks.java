package dev.fermata.samples.notifysupport;

import dev.fermata.FermataClient;
import dev.fermata.InstanceNotFoundException;
import dev.fermata.InstanceStatusException;
import dev.fermata.entities.EntitySnapshot;
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

  public SupportCallbacks(FermataClient client) {
    this.client = Objects.requireNonNull(client, "client");
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
    Optional<String> waiting =
        client
            .getEntity(PhoneInstance.idFor(phoneNumber.strip()), String.class)
            .map(EntitySnapshot::state);
    if (waiting.isEmpty()) {
      return Optional.empty();
    }
    try {
      client.raiseEvent(waiting.get(), NotifySupport.CALLBACK_EVENT, true);
      return waiting;
    } catch (InstanceStatusException | InstanceNotFoundException gone) {
      // The instance the entity names has finished: it gave up on this contact or was answered
      // (or it was purged).
      return Optional.empty();
    }
  }
}
