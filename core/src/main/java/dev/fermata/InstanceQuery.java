package dev.fermata;

import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Selects instances for {@link FermataClient#query} and {@link FermataClient#purge(InstanceQuery)}.
 * Null fields do not filter.
 *
 * @param statuses runtime statuses; empty means any
 * @param name orchestrator name
 * @param createdFrom inclusive
 * @param createdTo inclusive
 * @param instanceIdPrefix instance ids starting with this text
 * @param includeInputs whether results carry inputs and outputs
 * @param pageSize at most this many results per page (1 to 1000)
 * @param continuationToken from the previous page (of the same order), or null
 * @param newestFirst pages newest first (by creation time), as a dashboard lists them; false:
 *     oldest first
 */
public record InstanceQuery(
    Set<OrchestrationStatus> statuses,
    String name,
    Instant createdFrom,
    Instant createdTo,
    String instanceIdPrefix,
    boolean includeInputs,
    int pageSize,
    String continuationToken,
    boolean newestFirst) {

  public static final int DEFAULT_PAGE_SIZE = 100;
  public static final int MAX_PAGE_SIZE = 1000;

  public InstanceQuery {
    statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException(
          "pageSize must be between 1 and " + MAX_PAGE_SIZE + ", got " + pageSize);
    }
  }

  /** A query paged oldest first (the order of every query before the order could be chosen). */
  public InstanceQuery(
      Set<OrchestrationStatus> statuses,
      String name,
      Instant createdFrom,
      Instant createdTo,
      String instanceIdPrefix,
      boolean includeInputs,
      int pageSize,
      String continuationToken) {
    this(
        statuses,
        name,
        createdFrom,
        createdTo,
        instanceIdPrefix,
        includeInputs,
        pageSize,
        continuationToken,
        false);
  }

  /** Every instance, first page, with inputs. */
  public static InstanceQuery all() {
    return new InstanceQuery(Set.of(), null, null, null, null, true, DEFAULT_PAGE_SIZE, null);
  }

  public InstanceQuery withStatuses(Set<OrchestrationStatus> s) {
    return edit(q -> q.statuses = s);
  }

  public InstanceQuery withName(String n) {
    return edit(q -> q.name = n);
  }

  public InstanceQuery withCreatedRange(Instant from, Instant to) {
    return edit(
        q -> {
          q.createdFrom = from;
          q.createdTo = to;
        });
  }

  public InstanceQuery withInstanceIdPrefix(String prefix) {
    return edit(q -> q.instanceIdPrefix = prefix);
  }

  public InstanceQuery withPageSize(int size) {
    return edit(q -> q.pageSize = size);
  }

  public InstanceQuery withIncludeInputs(boolean include) {
    return edit(q -> q.includeInputs = include);
  }

  public InstanceQuery withContinuationToken(String token) {
    return edit(q -> q.continuationToken = token);
  }

  /** Pages newest first if {@code newest}, else oldest first. */
  public InstanceQuery withNewestFirst(boolean newest) {
    return edit(q -> q.newestFirst = newest);
  }

  /** A copy with {@code change} made: each with-method names only what it changes. */
  private InstanceQuery edit(Consumer<Parts> change) {
    Parts q = new Parts(this);
    change.accept(q);
    return new InstanceQuery(
        q.statuses,
        q.name,
        q.createdFrom,
        q.createdTo,
        q.instanceIdPrefix,
        q.includeInputs,
        q.pageSize,
        q.continuationToken,
        q.newestFirst);
  }

  /** The components, as a mutable copy for {@link #edit}. */
  private static final class Parts {
    Set<OrchestrationStatus> statuses;
    String name;
    Instant createdFrom;
    Instant createdTo;
    String instanceIdPrefix;
    boolean includeInputs;
    int pageSize;
    String continuationToken;
    boolean newestFirst;

    Parts(InstanceQuery q) {
      statuses = q.statuses;
      name = q.name;
      createdFrom = q.createdFrom;
      createdTo = q.createdTo;
      instanceIdPrefix = q.instanceIdPrefix;
      includeInputs = q.includeInputs;
      pageSize = q.pageSize;
      continuationToken = q.continuationToken;
      newestFirst = q.newestFirst;
    }
  }
}
