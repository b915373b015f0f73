package dev.fermata.server;

import dev.fermata.Fermata;
import dev.fermata.InstanceState;
import dev.fermata.history.HistoryEvent;
import java.time.Duration;
import java.util.List;

/**
 * {@code ./fermata run}: starts an engine on the default store (SQLite at {@code
 * ./fermata-data/fermata.db}), runs the demo orchestration, and prints its status and history. The
 * HTTP host replaces this demo once it exists.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    try (Fermata fermata = Demo.register(Fermata.builder()).build().start()) {
      String id =
          fermata
              .client()
              .scheduleNew(Demo.ORCHESTRATOR, new Demo.Order("A-1001", List.of("lamp", "desk")));
      System.out.println("Started " + Demo.ORCHESTRATOR + " as instance " + id);
      InstanceState done = fermata.client().waitForCompletion(id, Duration.ofSeconds(60));
      System.out.println();
      System.out.println("Status:  " + done.getStatus().displayName());
      System.out.println("Output:  " + done.getSerializedOutput());
      System.out.println();
      System.out.println("History:");
      for (HistoryEvent e : fermata.client().getHistory(id)) {
        System.out.println("  " + HistoryLines.describe(e));
      }
    }
  }
}
