package dev.fermata.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as a timer function run on a 6-field NCRONTAB schedule, {@code "{second} {minute}
 * {hour} {day} {month} {day-of-week}"}: {@code "0 0 1 * * *"} runs every day at 01:00:00. The
 * Fermata host fires each occurrence once, even with several hosts on one store.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TimerTrigger {
  /** The NCRONTAB schedule. */
  String value();

  /** The function's name (it appears in instance ids); default the method's name. */
  String name() default "";
}
