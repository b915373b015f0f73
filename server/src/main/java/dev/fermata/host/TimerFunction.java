package dev.fermata.host;

import dev.fermata.FermataClient;

/**
 * A timer function. It runs as an activity, so it runs at least once per occurrence: again after a
 * crash in the middle, but not again after it failed (as Azure Functions' timers).
 */
@FunctionalInterface
public interface TimerFunction {
  void run(TimerInfo info, FermataClient client) throws Exception;
}
