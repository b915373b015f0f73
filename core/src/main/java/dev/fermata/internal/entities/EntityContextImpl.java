package dev.fermata.internal.entities;

import dev.fermata.UnknownFunctionException;
import dev.fermata.entities.EntityContext;
import dev.fermata.entities.EntityId;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.JsonConverter;
import dev.fermata.spi.NewInstance;
import dev.fermata.spi.NewMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The context of one entity operation. It works on a copy of the state: the batch takes the new
 * state and the outgoing messages only if the operation succeeds.
 */
final class EntityContextImpl implements EntityContext {
  private final EntityId id;
  private final String operation;
  private final String inputJson;
  private final JsonConverter json;
  private final JsonConverter stateConverter;
  private final FunctionRegistry functions;
  private final Instant now;
  private String stateJson;
  private Object stateObject; // the last state handed out or set: serialized when the op ends
  private boolean stateObjectLive;
  final List<NewMessage> messages = new ArrayList<>();
  final List<NewInstance> starts = new ArrayList<>();

  EntityContextImpl(
      EntityId id,
      String operation,
      String inputJson,
      String stateJson,
      JsonConverter json,
      JsonConverter stateConverter,
      FunctionRegistry functions,
      Instant now) {
    this.stateConverter = stateConverter;
    this.id = id;
    this.operation = operation;
    this.inputJson = inputJson;
    this.stateJson = stateJson;
    this.json = json;
    this.functions = functions;
    this.now = now;
  }

  @Override
  public EntityId entityId() {
    return id;
  }

  @Override
  public String operationName() {
    return operation;
  }

  @Override
  public <T> T getInput(Class<T> type) {
    return json.deserialize(inputJson, type, "input of operation '" + operation + "' on " + id);
  }

  @Override
  public boolean hasState() {
    return stateObjectLive ? stateObject != null : stateJson != null;
  }

  @Override
  public <T> T getState(Class<T> type, Supplier<T> initial) {
    if (stateObjectLive && type.isInstance(stateObject)) {
      return type.cast(stateObject);
    }
    String current = currentStateJson();
    T value =
        current == null
            ? (initial == null ? null : initial.get())
            : stateConverter.deserialize(current, type, "state of " + id);
    if (current != null) {
      // Mutations of the returned object are kept, as if it were set again.
      stateObject = value;
      stateObjectLive = true;
    }
    return value;
  }

  @Override
  public void setState(Object state) {
    stateObject = state;
    stateObjectLive = true;
  }

  @Override
  public void deleteState() {
    setState(null);
  }

  /** The state after the operation, as JSON (null when there is none). */
  String currentStateJson() {
    if (stateObjectLive) {
      stateJson = stateConverter.serialize(stateObject, "state of " + id);
    }
    return stateJson;
  }

  @Override
  public void signalEntity(EntityId entity, String operation, Object input) {
    signalEntity(entity, operation, input, null);
  }

  @Override
  public void signalEntity(EntityId entity, String operation, Object input, Instant at) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(operation, "operation");
    if (!functions.canRunEntity(entity.name())) {
      throw new UnknownFunctionException("entity", entity.name(), functions.entityNames());
    }
    String payload = json.serialize(input, "input of operation '" + operation + "' on " + entity);
    messages.add(EntityMessages.signal(id, now, entity, operation, payload, at));
  }

  @Override
  public String scheduleNewOrchestration(String name, Object input, String instanceId) {
    Objects.requireNonNull(name, "name");
    if (!functions.canRunOrchestrator(name)) {
      throw new UnknownFunctionException("orchestrator", name, functions.orchestratorNames());
    }
    String payload = json.serialize(input, "input of orchestrator '" + name + "'");
    NewInstance start = EntityMessages.orchestration(now, name, instanceId, payload, null);
    starts.add(start);
    return start.record().instanceId();
  }
}
