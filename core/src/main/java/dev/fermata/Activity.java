package dev.fermata;

/** An activity function: the unit of real work (I/O, side effects), run at least once. */
@FunctionalInterface
public interface Activity {
  Object run(ActivityContext ctx) throws Exception;

  /** An activity whose input is converted to {@code I} first. */
  @FunctionalInterface
  interface WithInput<I> {
    Object run(ActivityContext ctx, I input) throws Exception;
  }
}
