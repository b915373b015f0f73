package dev.fermata.http;

import dev.fermata.FermataClient;
import java.time.Duration;

/**
 * What an HTTP function gets to work with orchestrations: the client, and Durable Functions'
 * check-status helpers, which answer exactly as the management API does (URLs built from the host
 * the caller used, carrying the management key when one is configured).
 */
public final class DurableHttpClient {
  /** Durable Functions' default wait of {@code waitForCompletionOrCreateCheckStatusResponse}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final FermataClient client;
  private final String managementKey;

  DurableHttpClient(FermataClient client, String managementKey) {
    this.client = client;
    this.managementKey = managementKey;
  }

  /** The client: start, query, raise events, terminate... */
  public FermataClient client() {
    return client;
  }

  /**
   * 202 with the check-status payload ({@code id}, {@code statusQueryGetUri}, {@code
   * sendEventPostUri}, ...), {@code Location} = the status URL and {@code Retry-After: 10}.
   */
  public HttpResponseMessage createCheckStatusResponse(HttpRequestMessage request, String id) {
    return HttpResponseMessage.of(
        CheckStatusPayload.response(request.apiRequest().origin(), id, managementKey));
  }

  /**
   * {@link #waitForCompletionOrCreateCheckStatusResponse(HttpRequestMessage, String, Duration)}.
   */
  public HttpResponseMessage waitForCompletionOrCreateCheckStatusResponse(
      HttpRequestMessage request, String id) {
    return waitForCompletionOrCreateCheckStatusResponse(request, id, DEFAULT_TIMEOUT);
  }

  /**
   * Waits up to {@code timeout}: Completed is 200 with the output as body; Failed or Terminated is
   * 200 with the status object; still running is the 202 check-status response.
   */
  public HttpResponseMessage waitForCompletionOrCreateCheckStatusResponse(
      HttpRequestMessage request, String id, Duration timeout) {
    return waitForCompletionOrCreateCheckStatusResponse(
        request, id, timeout, Duration.ofSeconds(1));
  }

  /**
   * As {@link #waitForCompletionOrCreateCheckStatusResponse(HttpRequestMessage, String, Duration)}.
   * Fermata is told of status changes, so {@code retryInterval} is only checked (it must not exceed
   * {@code timeout}, as in Durable Functions), not used to poll.
   *
   * @throws IllegalArgumentException if {@code retryInterval} is greater than {@code timeout}
   */
  public HttpResponseMessage waitForCompletionOrCreateCheckStatusResponse(
      HttpRequestMessage request, String id, Duration timeout, Duration retryInterval) {
    if (timeout.isNegative() || retryInterval.isNegative()) {
      throw new IllegalArgumentException("timeout and retryInterval must not be negative");
    }
    if (retryInterval.compareTo(timeout) > 0) {
      throw new IllegalArgumentException(
          "retryInterval ("
              + retryInterval
              + ") must not be greater than timeout ("
              + timeout
              + ")");
    }
    return HttpResponseMessage.of(
        OrchestratorStartRoutes.waitOrCheckStatus(
            request.apiRequest(), id, timeout, client, managementKey));
  }
}
