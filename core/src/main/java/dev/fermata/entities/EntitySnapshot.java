package dev.fermata.entities;

import java.time.Instant;

/**
 * An entity's state as a client read it. The read does not wait for operations still queued for the
 * entity, so the state may already be stale when it arrives.
 *
 * @param lastOperationTime when the entity last processed operations
 */
public record EntitySnapshot<T>(EntityId id, T state, Instant lastOperationTime) {}
