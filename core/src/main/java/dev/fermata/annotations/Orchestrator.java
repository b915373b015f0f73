package dev.fermata.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as an orchestrator function named {@link #value()}. The method takes {@code
 * (OrchestrationContext)} or {@code (OrchestrationContext, I input)}, where the input is converted
 * from JSON to {@code I}; what it returns is the orchestration's output.
 *
 * <pre>{@code
 * @Orchestrator("Hello")
 * public String hello(OrchestrationContext ctx, String name) {
 *   return ctx.callActivity("Greet", name, String.class).await();
 * }
 * }</pre>
 *
 * <p>Not to be confused with the functional interface {@link dev.fermata.Orchestrator}, which the
 * builder takes for the same purpose.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Orchestrator {
  /** The orchestrator's name, as clients start it. */
  String value();
}
