package dev.fermata.internal.replay;

import dev.fermata.FailureDetails;
import dev.fermata.OrchestrationContext;
import dev.fermata.RetryPolicy;
import dev.fermata.Task;
import dev.fermata.TaskFailedException;
import dev.fermata.UnknownFunctionException;
import dev.fermata.entities.CriticalSection;
import dev.fermata.entities.EntityId;
import dev.fermata.internal.InstanceIds;
import dev.fermata.spi.OrchestratorAction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link OrchestrationContext} handed to orchestrator code; a thin face on its runner. */
final class ContextImpl implements OrchestrationContext {
  static final int MAX_CUSTOM_STATUS_CHARS = 16 * 1024;

  private final OrchestrationRunner runner;
  private Logger logger;

  ContextImpl(OrchestrationRunner runner) {
    this.runner = runner;
  }

  @Override
  public String getName() {
    return runner.name();
  }

  @Override
  public String getInstanceId() {
    return runner.instanceId();
  }

  @Override
  public String getExecutionId() {
    return runner.executionId();
  }

  @Override
  public String getVersion() {
    return runner.version();
  }

  @Override
  public <T> T getInput(Class<T> type) {
    return runner
        .json()
        .deserialize(runner.input(), type, "input of orchestrator '" + getName() + "'");
  }

  @Override
  public Instant currentTime() {
    return runner.currentTime();
  }

  @Override
  public UUID newUuid() {
    runner.checkOnCodeThread();
    String name = runner.instanceId() + "_" + runner.currentTime() + "_" + runner.nextUuidCounter();
    return nameBasedUuidV5(name);
  }

  /** RFC 4122 version 5 (SHA-1) in the URL namespace, as Durable Functions does. */
  private static UUID nameBasedUuidV5(String name) {
    UUID namespace = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(toBytes(namespace));
      byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
      hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
      hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
      long msb = 0;
      long lsb = 0;
      for (int i = 0; i < 8; i++) {
        msb = (msb << 8) | (hash[i] & 0xff);
        lsb = (lsb << 8) | (hash[i + 8] & 0xff);
      }
      return new UUID(msb, lsb);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }

  private static byte[] toBytes(UUID uuid) {
    byte[] bytes = new byte[16];
    long msb = uuid.getMostSignificantBits();
    long lsb = uuid.getLeastSignificantBits();
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (msb >>> (56 - 8 * i));
      bytes[i + 8] = (byte) (lsb >>> (56 - 8 * i));
    }
    return bytes;
  }

  @Override
  public boolean isReplaying() {
    return runner.isReplaying();
  }

  @Override
  public boolean isPatched(String patchId) {
    runner.checkOnCodeThread();
    if (patchId == null || patchId.isBlank()) {
      throw new IllegalArgumentException("A patch needs an id");
    }
    return runner.isPatched(patchId);
  }

  @Override
  public Logger getLogger() {
    if (logger == null) {
      Logger target = LoggerFactory.getLogger("dev.fermata.orchestration." + getName());
      logger =
          (Logger)
              Proxy.newProxyInstance(
                  Logger.class.getClassLoader(),
                  new Class<?>[] {Logger.class},
                  (proxy, method, args) -> {
                    if (runner.isReplaying() && method.getReturnType() == void.class) {
                      return null; // logged already, the first time this step ran
                    }
                    try {
                      return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
    }
    return logger;
  }

  @Override
  public <T> Task<T> callActivity(String name, Object input, Class<T> resultType) {
    runner.checkOnCodeThread();
    if (!runner.functions().canRunActivity(name)) {
      return unknown("activity", name, runner.functions().activityNames());
    }
    String json = runner.json().serialize(input, "input of activity '" + name + "'");
    return scheduleActivity(name, json, resultType);
  }

  private <T> CallTask<T> scheduleActivity(String name, String inputJson, Class<T> resultType) {
    int sequence = runner.nextSequence();
    CallTask<T> task = new CallTask<>(runner, sequence, "activity", name, resultType);
    runner.schedule(new OrchestratorAction.ScheduleActivity(sequence, name, inputJson), task);
    return task;
  }

  @Override
  public <T> Task<T> callActivity(
      String name, Object input, RetryPolicy retryPolicy, Class<T> resultType) {
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    runner.checkOnCodeThread();
    if (!runner.functions().canRunActivity(name)) {
      return unknown("activity", name, runner.functions().activityNames());
    }
    String json = runner.json().serialize(input, "input of activity '" + name + "'");
    return new RetryingCall<>(
        runner, retryPolicy, "activity", name, attempt -> scheduleActivity(name, json, resultType));
  }

  @Override
  public <T> Task<T> callSubOrchestrator(
      String name, Object input, String instanceId, Class<T> resultType) {
    return callSubOrchestrator(name, input, instanceId, null, resultType);
  }

  @Override
  public <T> Task<T> callSubOrchestrator(
      String name, Object input, String instanceId, RetryPolicy retryPolicy, Class<T> resultType) {
    runner.checkOnCodeThread();
    if (!runner.functions().canRunOrchestrator(name)) {
      return unknown("orchestrator", name, runner.functions().orchestratorNames());
    }
    CriticalSectionImpl section = runner.criticalSection();
    if (section != null) {
      throw section.violation("starts sub-orchestration '" + name + "'");
    }
    String childId = instanceId != null ? instanceId : newUuid().toString().replace("-", "");
    InstanceIds.validate(childId);
    if (childId.equals(runner.instanceId())) {
      throw new IllegalArgumentException(
          "A sub-orchestration cannot have its parent's instance id '" + childId + "'");
    }
    String json = runner.json().serialize(input, "input of sub-orchestration '" + name + "'");
    if (retryPolicy == null) {
      return startChild(name, childId, json, resultType);
    }
    // Each attempt needs its own instance id: the failed child keeps its history.
    return new RetryingCall<>(
        runner,
        retryPolicy,
        "sub-orchestration",
        name,
        attempt ->
            startChild(name, attempt == 0 ? childId : childId + ":" + attempt, json, resultType));
  }

  private <T> CallTask<T> startChild(String name, String childId, String json, Class<T> type) {
    int sequence = runner.nextSequence();
    CallTask<T> task = new CallTask<>(runner, sequence, "sub-orchestration", name, type);
    runner.schedule(
        new OrchestratorAction.StartSubOrchestration(sequence, name, childId, json), task);
    return task;
  }

  private <T> Task<T> unknown(String kind, String name, Collection<String> known) {
    UnknownFunctionException error = new UnknownFunctionException(kind, name, known);
    return new TaskImpl.Done<>(
        runner,
        kind + " '" + name + "'",
        null,
        new TaskFailedException(name, -1, FailureDetails.fromException(error)));
  }

  @Override
  public Task<Void> createTimer(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    return createTimer(runner.currentTime().plus(delay));
  }

  @Override
  public Task<Void> createTimer(Instant fireAt) {
    Objects.requireNonNull(fireAt, "fireAt");
    runner.checkOnCodeThread();
    return runner.newTimer(fireAt);
  }

  @Override
  public <T> Task<T> waitForExternalEvent(String name, Class<T> type) {
    runner.checkOnCodeThread();
    return newWait(name, type);
  }

  private <T> EventWait<T> newWait(String name, Class<T> type) {
    Objects.requireNonNull(name, "name");
    EventWait<T> wait = new EventWait<>(runner, name, type);
    runner.events().await(wait);
    return wait;
  }

  @Override
  public <T> Task<T> waitForExternalEvent(String name, Duration timeout, Class<T> type) {
    return waitWithTimeout(name, timeout, false, null, type);
  }

  @Override
  public <T> Task<T> waitForExternalEvent(
      String name, Duration timeout, T defaultValue, Class<T> type) {
    return waitWithTimeout(name, timeout, true, defaultValue, type);
  }

  private <T> Task<T> waitWithTimeout(
      String name, Duration timeout, boolean useDefault, T defaultValue, Class<T> type) {
    Objects.requireNonNull(timeout, "timeout");
    runner.checkOnCodeThread();
    EventWait<T> wait = newWait(name, type);
    if (wait.isDone()) {
      return wait; // a buffered event: no timer needed
    }
    TimerTask timer = runner.newTimer(runner.currentTime().plus(timeout));
    return new EventWithTimeout<>(runner, wait, timer, useDefault, defaultValue);
  }

  @Override
  public void sendEvent(String instanceId, String eventName, Object data) {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(eventName, "eventName");
    runner.checkOnCodeThread();
    if (instanceId.startsWith("@")) {
      throw new IllegalArgumentException(
          "'" + instanceId + "' is an entity; send it operations with signalEntity or callEntity");
    }
    String json = runner.json().serialize(data, "data of event '" + eventName + "'");
    runner.schedule(
        new OrchestratorAction.SendEvent(runner.nextSequence(), instanceId, eventName, json), null);
  }

  @Override
  public <T> Task<T> callEntity(
      EntityId entity, String operation, Object input, Class<T> resultType) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(operation, "operation");
    runner.checkOnCodeThread();
    CriticalSectionImpl section = runner.criticalSection();
    if (section != null) {
      section.beforeCall(entity);
    }
    if (!runner.functions().canRunEntity(entity.name())) {
      return unknown("entity", entity.name(), runner.functions().entityNames());
    }
    String json = runner.json().serialize(input, "input of operation '" + operation + "'");
    int sequence = runner.nextSequence();
    CallTask<T> task =
        new CallTask<>(runner, sequence, "entity operation", entity + " " + operation, resultType);
    runner.schedule(
        new OrchestratorAction.CallEntity(sequence, entity.toString(), operation, json), task);
    if (section != null) {
      section.callStarted(entity, task);
    }
    return task;
  }

  @Override
  public void signalEntity(EntityId entity, String operation, Object input) {
    signalEntity(entity, operation, input, null);
  }

  @Override
  public void signalEntity(EntityId entity, String operation, Object input, Instant at) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(operation, "operation");
    runner.checkOnCodeThread();
    CriticalSectionImpl section = runner.criticalSection();
    if (section != null && section.holds(entity)) {
      throw section.violation("signals entity " + entity + ", which it has locked");
    }
    if (!runner.functions().canRunEntity(entity.name())) {
      throw new UnknownFunctionException("entity", entity.name(), runner.functions().entityNames());
    }
    String json = runner.json().serialize(input, "input of operation '" + operation + "'");
    runner.schedule(
        new OrchestratorAction.SignalEntity(
            runner.nextSequence(), entity.toString(), operation, json, at),
        null);
  }

  @Override
  public CriticalSection lockEntities(EntityId... entities) {
    runner.checkOnCodeThread();
    if (entities == null || entities.length == 0) {
      throw new IllegalArgumentException("lockEntities needs at least one entity");
    }
    CriticalSectionImpl open = runner.criticalSection();
    if (open != null) {
      throw open.violation("opens another critical section (sections do not nest)");
    }
    List<EntityId> sorted = Arrays.stream(entities).distinct().sorted().toList();
    for (EntityId id : sorted) {
      if (!runner.functions().canRunEntity(id.name())) {
        throw new UnknownFunctionException("entity", id.name(), runner.functions().entityNames());
      }
    }
    CriticalSectionImpl section = new CriticalSectionImpl(runner, sorted);
    int sequence = runner.nextSequence();
    CallTask<Void> granted =
        new CallTask<>(runner, sequence, "lock", "entities " + sorted, Void.class);
    runner.schedule(
        new OrchestratorAction.LockEntities(sequence, section.entityIdStrings()), granted);
    runner.setCriticalSection(section); // from now on, the end of the orchestration releases it
    try {
      granted.await();
    } catch (TaskFailedException e) {
      // An entity of the set could not take the lock (its messages were dead-lettered): give back
      // the locks the request took on its way, and leave the section.
      section.close();
      throw e;
    }
    return section;
  }

  @Override
  public boolean isInCriticalSection() {
    return runner.criticalSection() != null;
  }

  @Override
  public void setCustomStatus(Object status) {
    runner.checkOnCodeThread();
    String json = runner.json().serialize(status, "custom status");
    if (json != null && json.length() > MAX_CUSTOM_STATUS_CHARS) {
      throw new IllegalArgumentException(
          "The custom status is "
              + json.length()
              + " characters of JSON; at most "
              + MAX_CUSTOM_STATUS_CHARS
              + " are allowed");
    }
    runner.setCustomStatus(json);
  }

  @Override
  public void continueAsNew(Object input, boolean preserveUnprocessedEvents) {
    runner.checkOnCodeThread();
    String json = runner.json().serialize(input, "input of continueAsNew");
    runner.requestContinueAsNew(
        new OrchestrationRunner.ContinueAsNew(json, preserveUnprocessedEvents));
  }
}
