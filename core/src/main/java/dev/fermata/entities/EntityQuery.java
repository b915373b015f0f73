package dev.fermata.entities;

import java.time.Instant;

/**
 * Which entities {@code FermataClient.queryEntities} lists. Null fields do not filter.
 *
 * @param name the entity name (case-insensitive)
 * @param lastOperationFrom inclusive
 * @param lastOperationTo inclusive
 * @param pageSize at most this many entities per page (pages may be shorter; follow the token)
 * @param continuationToken null for the first page, then the previous page's token
 * @param fetchState include each entity's state
 * @param includeDeleted include entities that have no state (deleted, or never given one)
 */
public record EntityQuery(
    String name,
    Instant lastOperationFrom,
    Instant lastOperationTo,
    int pageSize,
    String continuationToken,
    boolean fetchState,
    boolean includeDeleted) {
  public static final int DEFAULT_PAGE_SIZE = 100;

  public EntityQuery {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be at least 1, got " + pageSize);
    }
    if (name != null) {
      name = new EntityId(name, "").name(); // validates and lowercases
    }
  }

  /** Every existing entity, 100 per page, without state. */
  public static EntityQuery all() {
    return new EntityQuery(null, null, null, DEFAULT_PAGE_SIZE, null, false, false);
  }

  public EntityQuery withName(String entityName) {
    return new EntityQuery(
        entityName,
        lastOperationFrom,
        lastOperationTo,
        pageSize,
        continuationToken,
        fetchState,
        includeDeleted);
  }

  public EntityQuery withLastOperationBetween(Instant from, Instant to) {
    return new EntityQuery(name, from, to, pageSize, continuationToken, fetchState, includeDeleted);
  }

  public EntityQuery withPageSize(int size) {
    return new EntityQuery(
        name,
        lastOperationFrom,
        lastOperationTo,
        size,
        continuationToken,
        fetchState,
        includeDeleted);
  }

  public EntityQuery withContinuationToken(String token) {
    return new EntityQuery(
        name, lastOperationFrom, lastOperationTo, pageSize, token, fetchState, includeDeleted);
  }

  public EntityQuery withFetchState(boolean fetch) {
    return new EntityQuery(
        name,
        lastOperationFrom,
        lastOperationTo,
        pageSize,
        continuationToken,
        fetch,
        includeDeleted);
  }

  public EntityQuery withIncludeDeleted(boolean include) {
    return new EntityQuery(
        name, lastOperationFrom, lastOperationTo, pageSize, continuationToken, fetchState, include);
  }
}
