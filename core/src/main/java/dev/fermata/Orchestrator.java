package dev.fermata;

/** An orchestrator function: reads its input from the context and returns its output. */
@FunctionalInterface
public interface Orchestrator {
  Object run(OrchestrationContext ctx) throws Exception;

  /** An orchestrator whose input is converted to {@code I} first. */
  @FunctionalInterface
  interface WithInput<I> {
    Object run(OrchestrationContext ctx, I input) throws Exception;
  }
}
