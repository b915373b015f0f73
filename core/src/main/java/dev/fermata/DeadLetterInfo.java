package dev.fermata;

import java.time.Instant;

/**
 * Work the engine gave up on after {@code maxDeliveryAttempts} failed deliveries, as {@link
 * FermataClient#listDeadLetters} shows it.
 *
 * @param id the dead letter's id: pass it to {@link FermataClient#redriveDeadLetter}; ids rise in
 *     the order work was dead-lettered
 * @param instanceId the orchestration or entity the work belonged to
 * @param kind {@code "message"} (an inbox message: an event, an entity operation, an activity
 *     result...) or {@code "activity"} (an activity task whose deliveries never finished)
 * @param name what it was: the activity's name, or the message's event type with the event or
 *     operation name it carries (for example {@code EventRaised approve})
 * @param deliveryCount how many times it was handed out, counting the last hand-out, which gave up
 *     on it (so one more than the failed deliveries)
 * @param reason why the engine gave up on it; null for dead letters stored before reasons were
 *     recorded
 * @param redrivable true for a message, which {@link FermataClient#redriveDeadLetter} can deliver
 *     again; false for an activity, whose failure its orchestration already received
 */
public record DeadLetterInfo(
    long id,
    String instanceId,
    String kind,
    String name,
    int deliveryCount,
    Instant deadLetteredAt,
    String reason,
    boolean redrivable) {}
