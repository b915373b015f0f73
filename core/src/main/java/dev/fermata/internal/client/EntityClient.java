package dev.fermata.internal.client;

import dev.fermata.OrchestrationStatus;
import dev.fermata.UnknownFunctionException;
import dev.fermata.entities.CleanEntityStorageResult;
import dev.fermata.entities.EntityId;
import dev.fermata.entities.EntityMetadata;
import dev.fermata.entities.EntityQuery;
import dev.fermata.entities.EntityQueryResult;
import dev.fermata.entities.EntitySnapshot;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.JsonConverter;
import dev.fermata.internal.entities.ClassEntity;
import dev.fermata.internal.entities.SchedulerState;
import dev.fermata.internal.worker.WriteOutcomes;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.InstanceFilter;
import dev.fermata.spi.InstancePage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewMessage;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The entity half of the client: each operation is a store call on the entity rows. */
final class EntityClient {
  private static final Set<OrchestrationStatus> ANY_STATUS =
      EnumSet.allOf(OrchestrationStatus.class);
  private static final int CLEANUP_PAGE = 500;

  private final DurableStore store;
  private final FunctionRegistry functions;
  private final JsonConverter json;
  private final JsonConverter fieldsJson;
  private final InstantSource clock;
  private final WriteOutcomes writes;

  EntityClient(
      DurableStore store,
      FunctionRegistry functions,
      JsonConverter json,
      InstantSource clock,
      WriteOutcomes writes) {
    this.store = store;
    this.functions = functions;
    this.json = json;
    this.fieldsJson = json.byFields();
    this.clock = clock;
    this.writes = writes;
  }

  void signal(EntityId entity, String operation, Object input, Instant at) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(operation, "operation");
    if (!functions.canRunEntity(entity.name())) {
      throw new UnknownFunctionException("entity", entity.name(), functions.entityNames());
    }
    String payload = json.serialize(input, "input of operation '" + operation + "'");
    HistoryEvent request =
        new HistoryEvent.EntityOperationRequested(
            clock.instant(), operation, payload, null, null, -1);
    // The store creates the entity's row if this is its first message.
    writes.record(
        () -> store.sendMessage(new NewMessage(entity.toString(), null, at, request), ANY_STATUS));
  }

  <T> Optional<EntitySnapshot<T>> read(EntityId entity, Class<T> type) {
    Objects.requireNonNull(entity, "entity");
    JsonConverter converter =
        functions.entity(entity.name()) instanceof ClassEntity<?> ? fieldsJson : json;
    return store
        .getInstance(entity.toString())
        .filter(r -> r.output() != null)
        .map(
            r ->
                new EntitySnapshot<>(
                    entity,
                    converter.deserialize(r.output(), type, "state of entity " + entity),
                    r.lastUpdatedAt()));
  }

  EntityQueryResult query(EntityQuery q) {
    String prefix = q.name() == null ? "@" : "@" + q.name() + "@";
    InstancePage page =
        store.queryInstances(
            new InstanceFilter(Set.of(), null, null, null, prefix),
            q.pageSize(),
            q.continuationToken());
    List<EntityMetadata> entities = new ArrayList<>();
    for (InstanceRecord r : page.instances()) {
      Instant last = r.lastUpdatedAt();
      if ((r.output() == null && !q.includeDeleted())
          || (q.lastOperationFrom() != null && last.isBefore(q.lastOperationFrom()))
          || (q.lastOperationTo() != null && last.isAfter(q.lastOperationTo()))) {
        continue;
      }
      entities.add(
          new EntityMetadata(
              EntityId.parse(r.instanceId()),
              last,
              SchedulerState.read(r.customStatus()).lockedBy(),
              q.fetchState() ? r.output() : null));
    }
    return new EntityQueryResult(entities, page.continuationToken());
  }

  CleanEntityStorageResult clean(boolean removeEmpty, boolean releaseOrphanedLocks) {
    int removed = 0;
    int released = 0;
    InstanceFilter allEntities = new InstanceFilter(Set.of(), null, null, null, "@");
    String token = null;
    do {
      InstancePage page = store.queryInstances(allEntities, CLEANUP_PAGE, token);
      for (InstanceRecord r : page.instances()) {
        SchedulerState scheduler = SchedulerState.read(r.customStatus());
        String holder = scheduler.lockedBy();
        if (releaseOrphanedLocks
            && holder != null
            && !isRunning(holder, scheduler.lockExecutionId())) {
          // Released by the entity itself, as if the holder had sent it: no write races its batch.
          NewMessage unlock =
              NewMessage.now(
                  r.instanceId(), new HistoryEvent.EntityUnlock(clock.instant(), holder));
          writes.record(() -> store.sendMessage(unlock, ANY_STATUS));
          released++;
        }
        // The store refuses rows that are not empty (Completed) or have messages waiting.
        if (removeEmpty
            && r.status().isTerminal()
            && r.output() == null
            && writes.record(() -> store.purgeInstance(r.instanceId()))) {
          removed++;
        }
      }
      token = page.continuationToken();
    } while (token != null);
    return new CleanEntityStorageResult(removed, released);
  }

  private boolean isRunning(String instanceId, String executionId) {
    return store
        .getInstance(instanceId)
        .filter(r -> r.status().isRunningLike())
        .filter(r -> executionId == null || executionId.equals(r.executionId()))
        .isPresent();
  }
}
