package dev.fermata.internal.entities;

import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.OrchestratorAction;
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

  /**
   * The locks held once {@code actions}, taken after {@code history}, are carried out: what a
   * remote worker's execution that ends with them must release.
   */
  public static List<String> after(List<HistoryEvent> history, List<OrchestratorAction> actions) {
    List<String> held = in(history);
    for (OrchestratorAction a : actions) {
      switch (a) {
        case OrchestratorAction.LockEntities l -> held = l.entityIds();
        case OrchestratorAction.UnlockEntities u -> held = List.of();
        default -> {}
      }
    }
    return held;
  }
}
