package dev.fermata.samples.counter;

import dev.fermata.entities.EntityContext;
import dev.fermata.entities.EntityFunction;
import java.util.Locale;

/**
 * The canonical durable entity: an integer with the operations {@code add} (input the amount),
 * {@code get} (answers the value), {@code reset} and {@code delete}. A counter that was never
 * changed counts 0.
 */
public final class Counter implements EntityFunction {
  public static final String NAME = "Counter";

  @Override
  public Object run(EntityContext ctx) {
    switch (ctx.operationName().toLowerCase(Locale.ROOT)) {
      case "add" -> {
        Integer amount = ctx.getInput(Integer.class);
        if (amount == null) {
          throw new IllegalArgumentException("add needs a whole number as input, such as 5");
        }
        ctx.setState(Math.addExact(value(ctx), amount));
        return null;
      }
      case "get" -> {
        return value(ctx);
      }
      case "reset" -> {
        ctx.setState(0);
        return null;
      }
      case "delete" -> {
        ctx.deleteState();
        return null;
      }
      default ->
          throw new IllegalArgumentException(
              "Counter has no operation '"
                  + ctx.operationName()
                  + "'; it has add, get, reset and delete");
    }
  }

  private static int value(EntityContext ctx) {
    return ctx.hasState() ? ctx.getState(Integer.class, () -> 0) : 0;
  }
}
