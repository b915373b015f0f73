package dev.fermata.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as an activity function named {@link #value()}. The method takes {@code ()},
 * {@code (I input)}, {@code (ActivityContext)} or {@code (ActivityContext, I input)}, where the
 * input is converted from JSON to {@code I}; what it returns is the activity's result.
 *
 * <p>Not to be confused with the functional interface {@link dev.fermata.Activity}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Activity {
  /** The activity's name, as orchestrators call it. */
  String value();
}
