package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.OrchestrationStatus;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The start route, as the management API serves it ({@code /runtime/webhooks/durabletask/...}) and
 * under its {@code /api/} shorthand: both must answer alike.
 */
class OrchestratorStartRoutesTest extends HttpApiTestSupport {
  private static final String WEBHOOK = BASE + "/orchestrators";

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_answers202_withCheckStatusPayloadAndHeaders(String route) {
    HttpResponse<String> r = post(route + "/Echo", "{\"a\":1}");

    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode p = json(r);
    String id = p.path("id").asText();
    String instance = origin + BASE + "/instances/" + id;
    assertThat(p.path("statusQueryGetUri").asText()).isEqualTo(instance);
    assertThat(p.path("sendEventPostUri").asText()).isEqualTo(instance + "/raiseEvent/{eventName}");
    assertThat(p.path("terminatePostUri").asText())
        .isEqualTo(instance + "/terminate?reason={text}");
    assertThat(p.path("rewindPostUri").asText()).isEqualTo(instance + "/rewind?reason={text}");
    assertThat(p.path("purgeHistoryDeleteUri").asText()).isEqualTo(instance);
    assertThat(p.path("restartPostUri").asText()).isEqualTo(instance + "/restart");
    assertThat(p.path("suspendPostUri").asText()).isEqualTo(instance + "/suspend?reason={text}");
    assertThat(p.path("resumePostUri").asText()).isEqualTo(instance + "/resume?reason={text}");
    assertThat(r.headers().firstValue("Location")).hasValue(instance);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("10");
    assertThat(client.waitForCompletion(id, WAIT).getSerializedOutput()).isEqualTo("{\"a\":1}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_withInstanceIdInPath_usesThatId_andEmptyBodyMeansNoInput(String route) {
    HttpResponse<String> r = post(route + "/Echo/my-id-1", null);

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(json(r).path("id").asText()).isEqualTo("my-id-1");
    assertThat(client.waitForCompletion("my-id-1", WAIT).getStatus())
        .isEqualTo(OrchestrationStatus.COMPLETED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_unknownFunction_is400NamingIt(String route) {
    HttpResponse<String> r = post(route + "/Nope", null);

    assertError(r, 400, "unknown_function");
    assertThat(json(r).path("message").asText()).contains("Nope");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_invalidInstanceId_is400(String route) {
    assertError(post(route + "/Echo/a%2Fb", null), 400, "invalid_argument");
    assertError(post(route + "/Echo/%40entity", null), 400, "invalid_argument");
    assertError(post(route + "/Echo/a%01b", null), 400, "invalid_argument");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_malformedJson_is400(String route) {
    assertError(post(route + "/Echo", "{\"a\":"), 400, "invalid_json");
    assertError(post(route + "/Echo", "{} trailing"), 400, "invalid_json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_idAlreadyRunning_is409(String route) {
    startRunning("busy");

    assertError(post(route + "/Echo/busy", null), 409, "instance_already_exists");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_withTimeout_completedInTime_is200WithRawOutput(String route) {
    HttpResponse<String> r = post(route + "/Greet?timeout=20&pollingInterval=1", "\"Ada\"");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("\"Hello, Ada!\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_withTimeout_failed_isTheStatusResponse(String route) {
    HttpResponse<String> r = post(route + "/Fail?timeout=20&pollingInterval=1", null);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = json(r);
    assertThat(body.path("runtimeStatus").asText()).isEqualTo("Failed");
    assertThat(body.path("output").path("errorMessage").asText()).isEqualTo("boom");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_withTimeout_notFinishedInTime_is202Payload(String route) {
    HttpResponse<String> r = post(route + "/WaitForGo/slow?timeout=1&pollingInterval=1", null);

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(json(r).path("id").asText()).isEqualTo("slow");
    assertThat(json(r).path("statusQueryGetUri").asText())
        .isEqualTo(origin + BASE + "/instances/slow");
    assertThat(r.headers().firstValue("Location")).hasValue(origin + BASE + "/instances/slow");
    assertThat(r.headers().firstValue("Retry-After")).hasValue("10");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", WEBHOOK})
  void start_pollingIntervalOverTimeout_orBadNumber_is400(String route) {
    assertError(post(route + "/Echo?timeout=1&pollingInterval=5", null), 400, "invalid_parameter");
    assertError(post(route + "/Echo?timeout=abc", null), 400, "invalid_parameter");
  }

  @Test
  void start_withGet_is404AsDurableFunctions() {
    assertError(get("/api/orchestrators/Echo"), 404, "method_not_supported");
    assertError(get(WEBHOOK + "/Echo"), 404, "method_not_supported");
  }
}
