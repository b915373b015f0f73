package dev.fermata.spi;

import java.util.List;

/**
 * An instance locked for one episode, with the inbox messages visible now, in arrival order.
 *
 * @param lockToken the fencing token: a checkpoint or release must present it, and the store
 *     refuses one whose token is no longer current
 */
public record OrchestrationWorkItem(
    InstanceRecord instance, List<InboxMessage> messages, long lockToken) {}
