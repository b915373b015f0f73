package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.time.Instant;

/**
 * A message read from an instance's inbox.
 *
 * @param id the store's id for it, used to consume it in a checkpoint
 * @param executionId the execution it is for, or null for any
 * @param deliveryCount how many earlier episodes took this message and failed to process it
 */
public record InboxMessage(
    long id,
    String instanceId,
    String executionId,
    Instant visibleAt,
    HistoryEvent event,
    int deliveryCount) {}
