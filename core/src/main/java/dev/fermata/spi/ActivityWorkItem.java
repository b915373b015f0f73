package dev.fermata.spi;

/**
 * An activity task locked for running.
 *
 * @param id the store's id for the task
 * @param deliveryCount how many times this task was handed out before (after a crash or an
 *     abandoned run); 0 the first time
 * @param lockToken the fencing token a completion must present
 */
public record ActivityWorkItem(long id, ActivityTask task, int deliveryCount, long lockToken) {}
