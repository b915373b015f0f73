package dev.fermata.entities;

/**
 * What {@code FermataClient.cleanEntityStorage} did.
 *
 * @param emptyEntitiesRemoved rows of entities without state or lock that were deleted
 * @param orphanedLocksReleased locks held by orchestrations no longer running that were released
 */
public record CleanEntityStorageResult(int emptyEntitiesRemoved, int orphanedLocksReleased) {}
