package dev.fermata.samples.warehouse;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the warehouse shipping sample.
 *
 * @param shipTimeout how long the orchestrator waits for {@code Event_Ship} before escalating
 */
public record WarehouseSettings(Duration shipTimeout) {
  /** The values of the original scenario: 20 seconds to ship. */
  public static final WarehouseSettings DEFAULTS = new WarehouseSettings(Duration.ofSeconds(20));

  public WarehouseSettings {
    Objects.requireNonNull(shipTimeout, "shipTimeout");
    if (shipTimeout.isNegative() || shipTimeout.isZero()) {
      throw new IllegalArgumentException("shipTimeout must be positive, got " + shipTimeout);
    }
  }
}
