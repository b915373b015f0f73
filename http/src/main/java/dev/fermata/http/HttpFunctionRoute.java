package dev.fermata.http;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An HTTP function and where it is served: {@code /api/{route}} for the given methods.
 *
 * @param name the function's name (for logs and error messages)
 * @param route literal segments and {@code {parameter}} segments, without the {@code api/} prefix
 * @param methods upper-case HTTP methods
 */
public record HttpFunctionRoute(
    String name, String route, List<String> methods, HttpFunction function) {
  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
  private static final Pattern SEGMENT =
      Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]*\\}|[A-Za-z0-9._~!$&'()*+,;=:@-]+");

  public HttpFunctionRoute {
    Objects.requireNonNull(function, "function");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("An HTTP function needs a name");
    }
    if (route == null || route.isBlank()) {
      throw new IllegalArgumentException("HTTP function '" + name + "' needs a route");
    }
    route = route.startsWith("/") ? route.substring(1) : route;
    if (route.regionMatches(true, 0, "api/", 0, 4)) {
      throw new IllegalArgumentException(
          "HTTP function '"
              + name
              + "': give the route without the api/ prefix (it is added), got '"
              + route
              + "'");
    }
    for (String segment : route.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches()) {
        throw new IllegalArgumentException(
            "HTTP function '"
                + name
                + "' has an invalid route '"
                + route
                + "': each segment must be literal text or a {parameter}, got '"
                + segment
                + "'");
      }
    }
    if (methods == null || methods.isEmpty()) {
      throw new IllegalArgumentException("HTTP function '" + name + "' needs at least one method");
    }
    methods = methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).distinct().toList();
    for (String m : methods) {
      if (!METHODS.contains(m)) {
        throw new IllegalArgumentException(
            "HTTP function '"
                + name
                + "' has an unknown method '"
                + m
                + "'; accepted: "
                + new java.util.TreeSet<>(METHODS));
      }
    }
  }
}
