package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * A message to enqueue in an instance's inbox.
 *
 * @param instanceId the recipient; an entity id ({@code @name@key}) that has no row yet gets one
 *     when the message is enqueued ({@link EntityRows})
 * @param executionId when not null, the message is only for that execution: the engine drops it if
 *     the instance has moved on (a late activity result after continueAsNew)
 * @param visibleAt when it may be delivered; null means now. Durable timers are future messages.
 * @param event what to deliver
 */
public record NewMessage(
    String instanceId, String executionId, Instant visibleAt, HistoryEvent event) {
  public NewMessage {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(event, "event");
  }

  public static NewMessage now(String instanceId, HistoryEvent event) {
    return new NewMessage(instanceId, null, null, event);
  }
}
