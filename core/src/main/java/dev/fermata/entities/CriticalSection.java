package dev.fermata.entities;

import java.util.List;

/**
 * Locks on a set of entities held by an orchestration. While it is open the orchestration may call
 * only the locked entities (one call at a time per entity), and other senders' operations on them
 * wait. Closing it releases the locks; so does the end of the orchestration, however it ends.
 *
 * <pre>{@code
 * try (CriticalSection cs = ctx.lockEntities(from, to)) {
 *   int balance = ctx.callEntity(from, "get", null, Integer.class).await();
 *   ...
 * }
 * }</pre>
 */
public interface CriticalSection extends AutoCloseable {
  /** The locked entities, in the order the locks were taken. */
  List<EntityId> lockedEntities();

  /** Releases the locks (once; closing again does nothing). */
  @Override
  void close();
}
