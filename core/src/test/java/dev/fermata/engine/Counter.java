package dev.fermata.engine;

import dev.fermata.entities.EntityFunction;

/** The canonical counter entity: operations add, get, reset and delete on an integer state. */
public final class Counter {
  public static final String NAME = "Counter";

  private Counter() {}

  public static final EntityFunction FUNCTION =
      ctx ->
          switch (ctx.operationName()) {
            case "add" -> {
              ctx.setState(ctx.getState(Integer.class, () -> 0) + ctx.getInput(Integer.class));
              yield null;
            }
            case "get" -> ctx.getState(Integer.class, () -> 0);
            case "reset" -> {
              ctx.setState(0);
              yield null;
            }
            case "delete" -> {
              ctx.deleteState();
              yield null;
            }
            default ->
                throw new IllegalArgumentException(
                    "Counter has no operation '" + ctx.operationName() + "'");
          };
}
