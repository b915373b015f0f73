package dev.fermata.testsupport;

import dev.fermata.FermataClient;
import dev.fermata.history.HistoryEvent;

/** Waits for an instance to have processed its inbox, for tests that check nothing happened. */
public final class Inbox {
  private Inbox() {}

  /**
   * Waits until everything sent to the instance before this call has been processed: an event
   * raised now is recorded (even while the instance is suspended) only after the messages ahead of
   * it in its inbox.
   */
  public static void awaitProcessed(FermataClient client, String instanceId) {
    String marker = "marker-" + System.nanoTime();
    client.raiseEvent(instanceId, marker, null);
    Poll.until(
        marker + " recorded by " + instanceId,
        () ->
            client.getHistory(instanceId).stream()
                .anyMatch(e -> e instanceof HistoryEvent.EventRaised r && r.name().equals(marker)));
  }
}
