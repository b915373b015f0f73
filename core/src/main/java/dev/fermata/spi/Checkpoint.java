package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.util.List;
import java.util.Objects;

/**
 * Everything one orchestration episode produced. A store applies it in one transaction: all of it
 * or none of it, and only while {@code lockToken} is still the instance's current lock.
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
    List<NewInstance> newInstances) {
  public Checkpoint {
    Objects.requireNonNull(instance, "instance");
    consumedMessageIds = List.copyOf(consumedMessageIds);
    newEvents = List.copyOf(newEvents);
    newTasks = List.copyOf(newTasks);
    newMessages = List.copyOf(newMessages);
    newInstances = List.copyOf(newInstances);
  }
}
