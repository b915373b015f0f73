package dev.fermata.entities;

import java.time.Instant;

/**
 * One entity in a listing.
 *
 * @param lastOperationTime when the entity last processed operations
 * @param lockedBy the orchestration instance holding the entity's lock, or null
 * @param stateJson the state as JSON when the query fetched state and the entity has one, else null
 */
public record EntityMetadata(
    EntityId id, Instant lastOperationTime, String lockedBy, String stateJson) {}
