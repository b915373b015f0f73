package dev.fermata.entities;

/**
 * A function-based entity: called once per operation, it reads {@link
 * EntityContext#operationName()} and changes the state through the context.
 *
 * <pre>{@code
 * builder.entity("Counter", ctx -> switch (ctx.operationName()) {
 *   case "add" -> { ctx.setState(ctx.getState(Integer.class, () -> 0) + ctx.getInput(Integer.class)); yield null; }
 *   case "get" -> ctx.getState(Integer.class, () -> 0);
 *   case "reset" -> { ctx.setState(0); yield null; }
 *   case "delete" -> { ctx.deleteState(); yield null; }
 *   default -> throw new IllegalArgumentException("unknown operation " + ctx.operationName());
 * });
 * }</pre>
 *
 * <p>Operations of one entity run one at a time. An operation that throws leaves the state as it
 * was before it and sends none of its signals or orchestration starts; the caller, if any, gets the
 * exception.
 */
@FunctionalInterface
public interface EntityFunction {
  /**
   * Runs one operation.
   *
   * @return the operation's result for a caller (converted to JSON), or null
   */
  Object run(EntityContext ctx) throws Exception;
}
