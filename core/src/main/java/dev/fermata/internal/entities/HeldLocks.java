package dev.fermata.internal.entities;

import dev.fermata.history.HistoryEvent;
import java.util.List;

/** Reads an orchestration's history for the entity locks it holds. */
public final class HeldLocks {
  private HeldLocks() {}

  /**
   * Entity ids of the critical section requested and not released in this history (the locks to
   * release when the execution ends), or an empty list. Sections never nest, so the last request
   * decides.
   */
  public static List<String> in(List<HistoryEvent> history) {
    List<String> held = List.of();
    for (HistoryEvent e : history) {
      switch (e) {
        case HistoryEvent.EntityLockRequested l -> held = l.entityIds();
        case HistoryEvent.EntityUnlockSent u -> held = List.of();
        default -> {}
      }
    }
    return held;
  }
}
