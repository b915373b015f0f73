package dev.fermata.http;

import dev.fermata.spi.StoreUnavailableException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves user HTTP functions under {@code /api/}; their failures become 500s, never crashes. */
final class HttpFunctionRoutes {
  private static final Logger log = LoggerFactory.getLogger(HttpFunctionRoutes.class);

  private final List<HttpFunctionRoute> functions;
  private final DurableHttpClient durable;

  HttpFunctionRoutes(List<HttpFunctionRoute> functions, DurableHttpClient durable) {
    this.functions = functions;
    this.durable = durable;
  }

  void register(Router router) {
    for (HttpFunctionRoute f : functions) {
      for (String method : f.methods()) {
        router.add(method, "api/" + f.route(), request -> invoke(f, request));
      }
    }
  }

  private ApiResponse invoke(HttpFunctionRoute f, ApiRequest request) {
    HttpResponseMessage response;
    try {
      response = f.function().handle(new HttpRequestMessage(request), durable);
    } catch (ApiException e) {
      throw e; // the request's own fault (bad JSON body, too large): 4xx
    } catch (StoreUnavailableException e) {
      throw e; // the store's fault, not the function's: 503, try again later
    } catch (Exception | LinkageError | AssertionError e) {
      log.error("HTTP function '{}' failed", f.name(), e);
      return ApiResponse.error(
          500,
          "function_failed",
          "The function '" + f.name() + "' failed: " + e.getClass().getSimpleName());
    }
    if (response == null) {
      return ApiResponse.empty(204);
    }
    return response.toApiResponse();
  }
}
