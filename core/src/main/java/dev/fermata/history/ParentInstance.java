package dev.fermata.history;

/**
 * Who started a sub-orchestration, so its completion can be reported back.
 *
 * @param instanceId the parent's instance id
 * @param executionId the parent's execution that is waiting
 * @param taskScheduledId the sequence number of the call in the parent's history
 */
public record ParentInstance(String instanceId, String executionId, int taskScheduledId) {}
