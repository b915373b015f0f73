package dev.fermata.spi;

import dev.fermata.OrchestrationStatus;

/**
 * Hears of committed changes to instance rows, to wake clients waiting for a status. Must be cheap
 * and must not block.
 */
@FunctionalInterface
public interface InstanceChangeListener {
  /**
   * @param instanceId the instance whose row changed; null when changes to any instance may have
   *     gone unreported (for example, notifications lost while a connection was re-established), so
   *     that every waiter reads its row again
   * @param status its status after the change, or null when the store does not know it (a change
   *     made elsewhere, a purge); a waiter then reads the row
   */
  void changed(String instanceId, OrchestrationStatus status);

  /**
   * A committed change whose row the store has at hand: {@code row} is the instance's row exactly
   * as that commit stored it (as {@link DurableStore#getInstance} would read it then), so that a
   * waiter it satisfies need not read it. By default, {@link #changed(String, OrchestrationStatus)}
   * with its id and status.
   */
  default void changed(InstanceRecord row) {
    changed(row.instanceId(), row.status());
  }
}
