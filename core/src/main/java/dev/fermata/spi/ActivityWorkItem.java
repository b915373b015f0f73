package dev.fermata.spi;

import java.util.concurrent.CompletableFuture;

/**
 * An activity task locked for running.
 *
 * @param id the store's id for the task
 * @param deliveryCount how many times this task was handed out before (after a crash or an
 *     abandoned run); 0 the first time
 * @param lockToken the fencing token a completion must present
 * @param ready completes when the task may run: a store that must make this delivery durable before
 *     the task runs again (it may be the task whose last run killed the process) completes it once
 *     that write has committed, so the thread that hands work out need not wait for it; failed if
 *     the write failed, in which case the worker abandons the item
 */
public record ActivityWorkItem(
    long id, ActivityTask task, int deliveryCount, long lockToken, CompletableFuture<Void> ready) {

  /** An item that may run at once. */
  public ActivityWorkItem(long id, ActivityTask task, int deliveryCount, long lockToken) {
    this(id, task, deliveryCount, lockToken, WorkItems.READY);
  }
}
