package dev.fermata.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as an HTTP function served at {@code /api/}{@link #route()}. The Fermata host
 * binds it; see the host documentation for the parameter types it accepts (the request, and a
 * durable client with the check-status helpers).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface HttpTrigger {
  /**
   * The route under {@code /api/}: literal segments and {@code {name}} parameters, for example
   * {@code "orders/{id}"}.
   */
  String route();

  /** The HTTP methods it answers (default GET and POST, as Azure Functions). */
  String[] methods() default {"GET", "POST"};

  /** The function's name, for logs and the start-up banner; default the method's name. */
  String name() default "";
}
