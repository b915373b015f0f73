package dev.fermata.spi;

import dev.fermata.OrchestrationStatus;
import java.time.Instant;
import java.util.Set;

/**
 * Which instances a query or a bulk purge selects. Null fields do not filter.
 *
 * @param statuses empty means any status
 * @param name the orchestrator name, compared exactly
 * @param createdFrom inclusive
 * @param createdTo inclusive
 * @param instanceIdPrefix instance ids starting with this text. Entity rows (ids starting with
 *     {@code @}, see {@link EntityRows}) match only a filter whose prefix starts with {@code @}:
 *     every other filter, including {@link #all()}, selects orchestrations only.
 * @param lastUpdatedTo inclusive: rows last updated at or before this time
 */
public record InstanceFilter(
    Set<OrchestrationStatus> statuses,
    String name,
    Instant createdFrom,
    Instant createdTo,
    String instanceIdPrefix,
    Instant lastUpdatedTo) {
  public InstanceFilter {
    statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
  }

  /** A filter that does not look at the last update time. */
  public InstanceFilter(
      Set<OrchestrationStatus> statuses,
      String name,
      Instant createdFrom,
      Instant createdTo,
      String instanceIdPrefix) {
    this(statuses, name, createdFrom, createdTo, instanceIdPrefix, null);
  }

  public static InstanceFilter all() {
    return new InstanceFilter(Set.of(), null, null, null, null, null);
  }

  /** True if the row passes every filter (for stores that filter in memory). */
  public boolean matches(InstanceRecord r) {
    return (statuses.isEmpty() || statuses.contains(r.status()))
        && (name == null || name.equals(r.name()))
        && (createdFrom == null || !r.createdAt().isBefore(createdFrom))
        && (createdTo == null || !r.createdAt().isAfter(createdTo))
        && (instanceIdPrefix == null || r.instanceId().startsWith(instanceIdPrefix))
        && (lastUpdatedTo == null || !r.lastUpdatedAt().isAfter(lastUpdatedTo))
        && (selectsEntities() || !EntityRows.isEntityId(r.instanceId()));
  }

  /** True if the filter is a query over entity rows (its prefix starts with {@code @}). */
  public boolean selectsEntities() {
    return instanceIdPrefix != null && EntityRows.isEntityId(instanceIdPrefix);
  }
}
