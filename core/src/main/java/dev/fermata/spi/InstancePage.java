package dev.fermata.spi;

import java.util.List;

/**
 * One page of a query, ordered by creation time then instance id.
 *
 * @param continuationToken pass it back to get the next page; null when there is none
 */
public record InstancePage(List<InstanceRecord> instances, String continuationToken) {}
