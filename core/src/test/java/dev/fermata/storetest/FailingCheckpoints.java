package dev.fermata.storetest;

import dev.fermata.spi.Checkpoint;
import dev.fermata.spi.DurableStore;

/** Store wrappers for tests of how the engine copes with a store that cannot save an episode. */
public final class FailingCheckpoints {
  private FailingCheckpoints() {}

  /**
   * {@code target}, except that every checkpoint of {@code instanceId} fails (it throws), unless it
   * dead-letters the instance's messages: the engine retries the instance, then quarantines it.
   */
  public static DurableStore forInstance(DurableStore target, String instanceId) {
    return StoreProxy.around(
        target,
        (method, args, next) -> {
          if (method.equals("checkpoint")
              && args[0] instanceof Checkpoint c
              && c.instanceId().equals(instanceId)
              && !c.deadLetter()) {
            throw new IllegalStateException("cannot save " + instanceId);
          }
          return next.call();
        });
  }
}
