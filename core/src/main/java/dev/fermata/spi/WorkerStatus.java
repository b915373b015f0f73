package dev.fermata.spi;

import java.time.Instant;

/**
 * One engine working on a store that several share (see {@link DurableStore#workers}).
 *
 * @param workerId the engine's id in the store
 * @param aliveUntil until when its last sign of life holds; it renews it while it runs
 * @param instancesHeld instances it holds a lease on now (running an episode)
 * @param tasksHeld activity tasks it holds a lease on now (running them)
 * @param self whether it is the engine that asked
 */
public record WorkerStatus(
    String workerId, Instant aliveUntil, long instancesHeld, long tasksHeld, boolean self) {}
