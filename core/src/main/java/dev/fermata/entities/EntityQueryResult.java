package dev.fermata.entities;

import java.util.List;

/**
 * A page of entities; pass {@code continuationToken} back for the next page (null when done). Pages
 * may be short, even empty, while a token remains.
 */
public record EntityQueryResult(List<EntityMetadata> entities, String continuationToken) {
  public EntityQueryResult {
    entities = List.copyOf(entities);
  }
}
