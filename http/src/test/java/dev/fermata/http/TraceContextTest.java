package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A request's W3C trace context reaches the instances it starts. */
class TraceContextTest extends HttpApiTestSupport {
  private static final String TRACE_PARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void anInstanceStartedOverHttp_isStoredInTheRequestsTrace() {
    HttpResponse<String> started =
        send(
            request("/api/orchestrators/Greet")
                .header("traceparent", TRACE_PARENT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("\"Ada\"")));
    String id = json(started).path("id").asText();

    // This engine records no spans of its own: the caller's span itself is what it carries on.
    assertThat(engine.store().getInstance(id).orElseThrow().traceParent()).isEqualTo(TRACE_PARENT);
    assertThat(client.waitForCompletion(id, WAIT).readOutputAs(String.class))
        .isEqualTo("Hello, Ada!");
  }

  @Test
  void withoutATraceOrWithAMalformedOne_noneIsStored() {
    String plain = json(post("/api/orchestrators/Echo", "1")).path("id").asText();
    String malformed =
        json(send(
                request("/api/orchestrators/Echo")
                    .header("traceparent", "00-not-a-trace-01")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("2"))))
            .path("id")
            .asText();

    assertThat(engine.store().getInstance(plain).orElseThrow().traceParent()).isNull();
    assertThat(engine.store().getInstance(malformed).orElseThrow().traceParent()).isNull();
    assertThat(client.waitForCompletion(malformed, WAIT).readOutputAs(Integer.class)).isEqualTo(2);
  }
}
