package dev.fermata.spi;

import java.time.Instant;

/**
 * How much work a store holds that has not been done, at one moment (for metrics): messages that
 * are visible now and not yet consumed by an episode, and activity tasks not yet completed (queued
 * or running).
 *
 * @param visibleMessages inbox messages visible now, in every instance's inbox
 * @param activityTasks activity tasks queued or running
 * @param oldestVisibleAt when the longest-waiting visible message became visible, or null if none
 */
public record WorkBacklog(long visibleMessages, long activityTasks, Instant oldestVisibleAt) {}
