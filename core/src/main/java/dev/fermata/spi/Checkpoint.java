package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.util.List;
import java.util.Objects;

/**
 * Everything one orchestration episode produced. A store applies it in one transaction: all of it
 * or none of it, and only while {@code lockToken} is still the instance's current lock.
 *
 * <p>Build one with {@link #builder} (or change one with {@link #toBuilder}) rather than with the
 * canonical constructor: this record gains components over time, and a call through the builder
 * keeps compiling when one is added, the new component taking its default.
 *
 * @param instanceId the instance
 * @param lockToken the token of the work item this episode processed
 * @param consumedMessageIds inbox messages to delete
 * @param deadLetter when true, the consumed messages are kept in the dead-letter table rather than
 *     deleted (a poison work item being quarantined)
 * @param resetHistory when true, the instance's stored history is deleted first and {@code
 *     newEvents} becomes the whole history (continueAsNew, rewind)
 * @param firstEventIndex the position of {@code newEvents.get(0)} in the history; when {@code
 *     newEvents} is not empty and {@code resetHistory} is false, a store refuses the checkpoint
 *     unless this equals the number of stored events (no step is ever recorded twice)
 * @param newEvents history events to append
 * @param instance the instance row after the episode
 * @param newTasks activity tasks to enqueue
 * @param newMessages messages to enqueue (timers to self, events and results to other instances); a
 *     message for an instance that does not exist is dropped, except that a message for an entity
 *     creates the entity's row ({@link EntityRows})
 * @param newInstances sub-orchestrations to create, following the rules of {@link NewInstance};
 *     they are created before {@code newMessages} are enqueued, so those can reach them
 * @param deadLetterReason why the consumed messages are dead-lettered, kept with them for an
 *     operator; null if not said (or not dead-lettered)
 */
public record Checkpoint(
    String instanceId,
    long lockToken,
    List<Long> consumedMessageIds,
    boolean deadLetter,
    boolean resetHistory,
    int firstEventIndex,
    List<HistoryEvent> newEvents,
    InstanceRecord instance,
    List<ActivityTask> newTasks,
    List<NewMessage> newMessages,
    List<NewInstance> newInstances,
    String deadLetterReason) {
  public Checkpoint {
    Objects.requireNonNull(instance, "instance");
    consumedMessageIds = List.copyOf(consumedMessageIds);
    newEvents = List.copyOf(newEvents);
    newTasks = List.copyOf(newTasks);
    newMessages = List.copyOf(newMessages);
    newInstances = List.copyOf(newInstances);
  }

  /**
   * A builder for the checkpoint of an episode of instance {@code instanceId} that held the lock
   * {@code lockToken}. {@link Builder#build} also requires the {@link Builder#instance instance}
   * row; everything else defaults to nothing: no messages consumed, no events (with {@code
   * firstEventIndex} 0), no tasks, messages or instances, both flags false.
   */
  public static Builder builder(String instanceId, long lockToken) {
    return new Builder(instanceId, lockToken);
  }

  /** A builder holding every component of this checkpoint, to change some of them. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Builds a {@link Checkpoint} one named component at a time. Setters return the builder; setting
   * a component again replaces the earlier value, and lists are copied when set, so a caller may
   * keep changing its own list afterwards.
   */
  public static final class Builder {
    private String instanceId;
    private long lockToken;
    private List<Long> consumedMessageIds = List.of();
    private boolean deadLetter;
    private boolean resetHistory;
    private int firstEventIndex;
    private List<HistoryEvent> newEvents = List.of();
    private InstanceRecord instance;
    private List<ActivityTask> newTasks = List.of();
    private List<NewMessage> newMessages = List.of();
    private List<NewInstance> newInstances = List.of();
    private String deadLetterReason;

    private Builder(String instanceId, long lockToken) {
      this.instanceId = instanceId;
      this.lockToken = lockToken;
    }

    private Builder(Checkpoint c) {
      instanceId = c.instanceId;
      lockToken = c.lockToken;
      consumedMessageIds = c.consumedMessageIds;
      deadLetter = c.deadLetter;
      resetHistory = c.resetHistory;
      firstEventIndex = c.firstEventIndex;
      newEvents = c.newEvents;
      instance = c.instance;
      newTasks = c.newTasks;
      newMessages = c.newMessages;
      newInstances = c.newInstances;
      deadLetterReason = c.deadLetterReason;
    }

    /** Required. */
    public Builder instanceId(String instanceId) {
      this.instanceId = instanceId;
      return this;
    }

    /** The token of the work item the episode processed. */
    public Builder lockToken(long lockToken) {
      this.lockToken = lockToken;
      return this;
    }

    /** Inbox messages to delete (or to dead-letter); none by default. */
    public Builder consumedMessageIds(List<Long> consumedMessageIds) {
      this.consumedMessageIds = copy(consumedMessageIds, "consumedMessageIds");
      return this;
    }

    /** Keep the consumed messages in the dead-letter table rather than deleting them. */
    public Builder deadLetter(boolean deadLetter) {
      this.deadLetter = deadLetter;
      return this;
    }

    /** Why the consumed messages are dead-lettered, for an operator; none by default. */
    public Builder deadLetterReason(String deadLetterReason) {
      this.deadLetterReason = deadLetterReason;
      return this;
    }

    /**
     * Replace the stored history by {@code newEvents} (continueAsNew, rewind); false by default.
     * The store then does not check {@code firstEventIndex}; the engine passes 0.
     */
    public Builder resetHistory(boolean resetHistory) {
      this.resetHistory = resetHistory;
      return this;
    }

    /**
     * The position of the first of {@code newEvents} in the history, which a store checks against
     * the number of events it holds; 0 by default.
     */
    public Builder firstEventIndex(int firstEventIndex) {
      this.firstEventIndex = firstEventIndex;
      return this;
    }

    /** History events to append; none by default. */
    public Builder newEvents(List<HistoryEvent> newEvents) {
      this.newEvents = copy(newEvents, "newEvents");
      return this;
    }

    /** The instance row after the episode. Required. */
    public Builder instance(InstanceRecord instance) {
      this.instance = instance;
      return this;
    }

    /** Activity tasks to enqueue; none by default. */
    public Builder newTasks(List<ActivityTask> newTasks) {
      this.newTasks = copy(newTasks, "newTasks");
      return this;
    }

    /** Messages to enqueue; none by default. */
    public Builder newMessages(List<NewMessage> newMessages) {
      this.newMessages = copy(newMessages, "newMessages");
      return this;
    }

    /** Sub-orchestrations to create; none by default. */
    public Builder newInstances(List<NewInstance> newInstances) {
      this.newInstances = copy(newInstances, "newInstances");
      return this;
    }

    /**
     * The checkpoint.
     *
     * @throws NullPointerException naming the component, if the instance id or the instance row is
     *     missing. The canonical constructor checks the row; the builder also checks the id, which
     *     every store locks and writes by, because a builder call can leave it out.
     */
    public Checkpoint build() {
      Objects.requireNonNull(instanceId, "instanceId");
      return new Checkpoint(
          instanceId,
          lockToken,
          consumedMessageIds,
          deadLetter,
          resetHistory,
          firstEventIndex,
          newEvents,
          instance,
          newTasks,
          newMessages,
          newInstances,
          deadLetterReason);
    }

    // Copied here rather than only in the constructor so that a null list is reported under its
    // own name, and a caller's later changes to its list do not reach the checkpoint.
    private static <T> List<T> copy(List<T> list, String component) {
      return List.copyOf(Objects.requireNonNull(list, component));
    }
  }
}
