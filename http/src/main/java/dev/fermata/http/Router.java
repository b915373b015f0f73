package dev.fermata.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny route table: patterns like {@code runtime/webhooks/durabletask/instances/{id}} matched
 * segment by segment (literals case-insensitively, as the Functions host does).
 */
final class Router {

  /** Handles a matched request. */
  @FunctionalInterface
  interface Handler {
    ApiResponse handle(ApiRequest request) throws Exception;
  }

  private record Route(String method, List<String> pattern, Handler handler) {}

  private final List<Route> routes = new ArrayList<>();

  Router add(String method, String pattern, Handler handler) {
    List<String> parts = new ArrayList<>();
    for (String p : pattern.split("/")) {
      if (!p.isEmpty()) {
        parts.add(p);
      }
    }
    routes.add(new Route(method, List.copyOf(parts), handler));
    return this;
  }

  /**
   * Dispatches the request.
   *
   * @throws ApiException 404 for an unknown route, or a known route with another verb
   */
  ApiResponse dispatch(ApiRequest request) throws Exception {
    boolean pathKnown = false;
    for (Route r : routes) {
      Map<String, String> params = match(r.pattern(), request.segments());
      if (params == null) {
        continue;
      }
      pathKnown = true;
      if (r.method().equals(request.method())) {
        request.setPathParams(params);
        return r.handler().handle(request);
      }
    }
    if (pathKnown) {
      throw new ApiException(
          404,
          "method_not_supported",
          "This route does not support " + request.method() + " (Durable Functions answers 404)");
    }
    throw new ApiException(404, "route_not_found", "No route matches this path");
  }

  private static Map<String, String> match(List<String> pattern, List<String> segments) {
    if (pattern.size() != segments.size()) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < pattern.size(); i++) {
      String p = pattern.get(i);
      String s = segments.get(i);
      if (p.startsWith("{") && p.endsWith("}")) {
        params.put(p.substring(1, p.length() - 1), s);
      } else if (!p.equalsIgnoreCase(s)) {
        return null;
      }
    }
    return params;
  }
}
