package dev.fermata.entities;

import dev.fermata.FermataException;

/**
 * An orchestration broke a rule of critical sections: it nested them, started a sub-orchestration
 * or called an unlocked entity inside one, made two calls at once to one locked entity, or
 * signalled a locked entity.
 */
public class LockingRulesViolationException extends FermataException {
  public LockingRulesViolationException(String message) {
    super(message);
  }
}
