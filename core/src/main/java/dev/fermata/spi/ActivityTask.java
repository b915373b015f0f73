package dev.fermata.spi;

/**
 * An activity call to run.
 *
 * @param taskId the sequence number of the call in the orchestration's history
 */
public record ActivityTask(
    String instanceId, String executionId, int taskId, String name, String input) {}
