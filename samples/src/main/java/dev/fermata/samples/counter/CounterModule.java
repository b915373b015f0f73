package dev.fermata.samples.counter;

import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;

/**
 * Registers the {@link Counter} entity in the Fermata host, so that entities can be tried with the
 * host's entity routes ({@code /runtime/webhooks/durabletask/entities/Counter/{key}}).
 */
public final class CounterModule implements FunctionModule {
  @Override
  public void register(FermataHost.Builder host) {
    host.engine(b -> b.entity(Counter.NAME, new Counter()));
  }
}
