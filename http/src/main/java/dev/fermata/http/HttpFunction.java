package dev.fermata.http;

/**
 * An HTTP function: answers a request routed to it under {@code /api/}. Exceptions it throws are
 * answered 500 with an error body and logged; they never stop the host.
 */
@FunctionalInterface
public interface HttpFunction {
  HttpResponseMessage handle(HttpRequestMessage request, DurableHttpClient durable)
      throws Exception;
}
