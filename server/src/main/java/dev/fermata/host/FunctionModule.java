package dev.fermata.host;

/**
 * A set of functions to run in a host: registers orchestrators, activities, HTTP and timer
 * functions on the host's builder.
 *
 * <pre>{@code
 * FunctionModule orders = host -> host.register(new OrderFunctions());
 * }</pre>
 */
@FunctionalInterface
public interface FunctionModule {
  void register(FermataHost.Builder host);
}
