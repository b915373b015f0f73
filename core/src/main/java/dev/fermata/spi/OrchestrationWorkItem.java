package dev.fermata.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An instance locked for one episode, with the inbox messages visible now, in arrival order.
 *
 * @param lockToken the fencing token: a checkpoint or release must present it, and the store
 *     refuses one whose token is no longer current
 * @param historyKnownEmpty true if the store knows the instance has no history yet (it created the
 *     instance and handed it out from memory, before anything else could run it), so the engine
 *     need not read it
 * @param ready completes when the episode may run: a store that must make this delivery durable
 *     first (messages stored before the process started may be the ones whose episode killed it)
 *     completes it once that write has committed, so the thread that hands work out need not wait
 *     for it; failed if the write failed, in which case the worker abandons the item
 */
public record OrchestrationWorkItem(
    InstanceRecord instance,
    List<InboxMessage> messages,
    long lockToken,
    boolean historyKnownEmpty,
    CompletableFuture<Void> ready) {

  /** An item that may run at once. */
  public OrchestrationWorkItem(
      InstanceRecord instance,
      List<InboxMessage> messages,
      long lockToken,
      boolean historyKnownEmpty) {
    this(instance, messages, lockToken, historyKnownEmpty, WorkItems.READY);
  }

  /** An item that may run at once, whose history the engine reads from the store. */
  public OrchestrationWorkItem(
      InstanceRecord instance, List<InboxMessage> messages, long lockToken) {
    this(instance, messages, lockToken, false);
  }
}
