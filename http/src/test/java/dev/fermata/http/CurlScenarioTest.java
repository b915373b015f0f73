package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.testsupport.Poll;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What a Durable Functions curl script does: start, poll the status URL, raise an event. */
class CurlScenarioTest extends HttpApiTestSupport {

  @Test
  void start_pollStatus_raiseEventViaSendEventUri_untilCompleted() throws Exception {
    HttpResponse<String> started = post("/api/orchestrators/WaitForGo", null);
    assertThat(started.statusCode()).isEqualTo(202);
    JsonNode payload = json(started);
    String statusUrl = payload.path("statusQueryGetUri").asText();

    HttpResponse<String> running = get(statusUrl);
    assertThat(running.statusCode()).isEqualTo(202);
    assertThat(running.headers().firstValue("Location")).hasValue(statusUrl);

    String sendEvent = payload.path("sendEventPostUri").asText().replace("{eventName}", "Go");
    assertThat(post(sendEvent, "{\"answer\":42}").statusCode()).isEqualTo(202);

    String[] location = {running.headers().firstValue("Location").orElse(statusUrl)};
    HttpResponse<String> last =
        Poll.forValue(
            "a status other than 202",
            WAIT,
            () -> {
              HttpResponse<String> r = get(location[0]);
              location[0] = r.headers().firstValue("Location").orElse(statusUrl);
              return r.statusCode() == 202 ? null : r;
            });
    assertThat(last.statusCode()).isEqualTo(200);
    JsonNode status = json(last);
    assertThat(status.path("runtimeStatus").asText()).isEqualTo("Completed");
    assertThat(status.path("output").path("answer").asInt()).isEqualTo(42);

    HttpResponse<String> purged = delete(payload.path("purgeHistoryDeleteUri").asText());
    assertThat(json(purged).path("instancesDeleted").asInt()).isEqualTo(1);
    assertThat(get(statusUrl).statusCode()).isEqualTo(404);
  }
}
