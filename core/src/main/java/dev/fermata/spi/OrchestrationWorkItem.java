package dev.fermata.spi;

import java.util.List;

/**
 * An instance locked for one episode, with the inbox messages visible now, in arrival order.
 *
 * @param lockToken the fencing token: a checkpoint or release must present it, and the store
 *     refuses one whose token is no longer current
 * @param historyKnownEmpty true if the store knows the instance has no history yet (it created the
 *     instance and handed it out from memory, before anything else could run it), so the engine
 *     need not read it
 */
public record OrchestrationWorkItem(
    InstanceRecord instance,
    List<InboxMessage> messages,
    long lockToken,
    boolean historyKnownEmpty) {

  /** An item whose history the engine reads from the store. */
  public OrchestrationWorkItem(
      InstanceRecord instance, List<InboxMessage> messages, long lockToken) {
    this(instance, messages, lockToken, false);
  }
}
