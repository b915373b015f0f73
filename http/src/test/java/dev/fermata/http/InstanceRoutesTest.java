package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.FermataClient;
import dev.fermata.OrchestrationStatus;
import dev.fermata.testsupport.Poll;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceRoutesTest extends HttpApiTestSupport {
  private static final String TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";

  private String instance(String id) {
    return BASE + "/instances/" + id;
  }

  @Test
  void status_running_is202_withLocationAndRetryAfter5() {
    startRunning("run-1");

    HttpResponse<String> r = get(instance("run-1") + "?showInput=true");

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.headers().firstValue("Location"))
        .hasValue(origin + instance("run-1") + "?showInput=true");
    assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(json(r).path("runtimeStatus").asText()).isEqualTo("Running");
    assertThat(json(r).path("output").isNull()).isTrue();
  }

  @Test
  void status_completed_is200_withDurableFunctionsFieldNames() {
    String id = startAndWait("Echo", JSON.createObjectNode().put("x", 1));

    HttpResponse<String> r = get(instance(id));

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode s = json(r);
    List<String> fields = new ArrayList<>();
    s.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactly(
            "name",
            "instanceId",
            "runtimeStatus",
            "input",
            "customStatus",
            "output",
            "createdTime",
            "lastUpdatedTime");
    assertThat(s.path("name").asText()).isEqualTo("Echo");
    assertThat(s.path("instanceId").asText()).isEqualTo(id);
    assertThat(s.path("runtimeStatus").asText()).isEqualTo("Completed");
    assertThat(s.path("input").path("x").asInt()).isEqualTo(1);
    assertThat(s.path("output").path("x").asInt()).isEqualTo(1);
    assertThat(s.path("createdTime").asText()).matches(TIME);
    assertThat(s.path("lastUpdatedTime").asText()).matches(TIME);
    assertThat(json(get(instance(id) + "?showInput=false")).path("input").isNull()).isTrue();
  }

  @Test
  void status_unknown_is404() {
    assertError(get(instance("nobody")), 404, "instance_not_found");
  }

  @Test
  void status_failed_is200_or500WithFlag_andOutputIsFailureDetails() {
    String id = startAndWait("Fail", null);

    HttpResponse<String> r = get(instance(id));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode out = json(r).path("output");
    assertThat(out.path("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(out.path("errorMessage").asText()).isEqualTo("boom");

    assertThat(get(instance(id) + "?returnInternalServerErrorOnFailure=true").statusCode())
        .isEqualTo(500);
  }

  @Test
  void status_badBooleanParameter_is400() {
    String id = startAndWait("Echo", 1);
    assertError(get(instance(id) + "?showHistory=maybe"), 400, "invalid_parameter");
  }

  @Test
  void status_withHistory_hasDurableFunctionsShape() {
    String id = startAndWait("Greet", "Ada");

    JsonNode events = json(get(instance(id) + "?showHistory=true")).path("historyEvents");
    List<String> types = new ArrayList<>();
    events.forEach(e -> types.add(e.path("EventType").asText()));
    assertThat(types).containsExactly("ExecutionStarted", "TaskCompleted", "ExecutionCompleted");
    events.forEach(e -> assertThat(e.path("Timestamp").asText()).isNotEmpty());
    assertThat(events.get(0).path("FunctionName").asText()).isEqualTo("Greet");
    assertThat(events.get(0).path("Input").asText()).isEqualTo("Ada");
    JsonNode task = events.get(1);
    assertThat(task.path("FunctionName").asText()).isEqualTo("Hello");
    assertThat(task.path("ScheduledTime").asText()).isNotEmpty();
    assertThat(task.has("Result")).isFalse();
    assertThat(events.get(2).path("OrchestrationStatus").asText()).isEqualTo("Completed");
    assertThat(events.get(2).has("Result")).isFalse();

    JsonNode withOutput =
        json(get(instance(id) + "?showHistory=true&showHistoryOutput=true")).path("historyEvents");
    assertThat(withOutput.get(1).path("Result").asText()).isEqualTo("Hello, Ada!");
    assertThat(withOutput.get(2).path("Result").asText()).isEqualTo("Hello, Ada!");
  }

  @Test
  void status_withHistory_showsFailedTaskAndSuspension() {
    FAIL_FLAKY.set(true);
    String id = startAndWait("Flaky", null);

    JsonNode events = json(get(instance(id) + "?showHistory=true")).path("historyEvents");
    List<String> types = new ArrayList<>();
    events.forEach(e -> types.add(e.path("EventType").asText()));
    assertThat(types).containsExactly("ExecutionStarted", "TaskFailed", "ExecutionCompleted");
    JsonNode failed = events.get(1);
    assertThat(failed.path("FunctionName").asText()).isEqualTo("FlakyStep");
    assertThat(failed.path("Reason").asText()).isEqualTo("flaky failure");
    assertThat(failed.path("FailureDetails").path("ErrorType").asText())
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(events.get(2).path("OrchestrationStatus").asText()).isEqualTo("Failed");

    startRunning("sus-h");
    client.suspend("sus-h", "hold on");
    awaitStatus("sus-h", OrchestrationStatus.SUSPENDED);
    JsonNode suspended = json(get(instance("sus-h") + "?showHistory=true")).path("historyEvents");
    assertThat(suspended.findValuesAsText("EventType")).contains("ExecutionSuspended");
    assertThat(suspended.findValuesAsText("Reason")).contains("hold on");
  }

  @Test
  void status_showsCustomStatusAsJson() {
    client.scheduleNew("Custom", null, dev.fermata.FermataClient.StartOptions.withId("cs"));
    JsonNode custom =
        Poll.forValue(
            "a custom status",
            WAIT,
            () -> {
              JsonNode status = json(get(instance("cs"))).path("customStatus");
              return status.isNull() ? null : status;
            });
    assertThat(custom.path("stage").asInt()).isEqualTo(1);
  }

  @Test
  void purge_finished_is200_unknown404_running409() {
    String id = startAndWait("Echo", 1);
    startRunning("still-running");

    HttpResponse<String> r = delete(instance(id));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).path("instancesDeleted").asInt()).isEqualTo(1);
    assertThat(client.getInstance(id)).isEmpty();
    assertError(delete(instance(id)), 404, "instance_not_found");
    assertError(delete(instance("still-running")), 409, "instance_status_conflict");
  }

  @Test
  void raiseEvent_is202_andTheInstanceReceivesTheData() {
    startRunning("ev-1");

    HttpResponse<String> r = post(instance("ev-1") + "/raiseEvent/Go", "{\"n\":42}");

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(client.waitForCompletion("ev-1", WAIT).getSerializedOutput())
        .isEqualTo("{\"n\":42}");
  }

  @Test
  void raiseEvent_wrongContentType_orBadJson_is400() {
    startRunning("ev-2");

    HttpResponse<String> textPlain =
        send(
            request(instance("ev-2") + "/raiseEvent/Go")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("1")));
    assertError(textPlain, 400, "unsupported_content_type");
    assertError(
        send(
            request(instance("ev-2") + "/raiseEvent/Go")
                .POST(HttpRequest.BodyPublishers.ofString("1"))),
        400,
        "unsupported_content_type");
    assertError(post(instance("ev-2") + "/raiseEvent/Go", "{nope"), 400, "invalid_json");
    assertThat(client.getInstance("ev-2").orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.RUNNING);
  }

  @Test
  void raiseEvent_unknown404_finished410() {
    String done = startAndWait("Echo", 1);

    assertError(post(instance("nobody") + "/raiseEvent/Go", "1"), 404, "instance_not_found");
    assertError(post(instance(done) + "/raiseEvent/Go", "1"), 410, "instance_finished");
  }

  @Test
  void terminate_is202_thenTerminatedWithReason_finished410_unknown404() {
    startRunning("term-1");

    assertThat(post(instance("term-1") + "/terminate?reason=enough%20now", null).statusCode())
        .isEqualTo(202);
    client.waitForCompletion("term-1", WAIT);
    JsonNode s = json(get(instance("term-1")));
    assertThat(s.path("runtimeStatus").asText()).isEqualTo("Terminated");
    assertThat(s.path("output").asText()).isEqualTo("enough now");

    assertError(post(instance("term-1") + "/terminate", null), 410, "instance_finished");
    assertError(post(instance("nobody") + "/terminate", null), 404, "instance_not_found");
  }

  @Test
  void suspendAndResume_are202_wrongState409_finished410() {
    startRunning("sus-1");

    assertError(post(instance("sus-1") + "/resume", null), 409, "instance_status_conflict");
    assertThat(post(instance("sus-1") + "/suspend?reason=pause", null).statusCode()).isEqualTo(202);
    awaitStatus("sus-1", OrchestrationStatus.SUSPENDED);
    assertThat(get(instance("sus-1")).statusCode()).isEqualTo(202);
    assertError(post(instance("sus-1") + "/suspend", null), 409, "instance_status_conflict");
    assertThat(post(instance("sus-1") + "/resume?reason=go", null).statusCode()).isEqualTo(202);
    awaitStatus("sus-1", OrchestrationStatus.RUNNING);

    String done = startAndWait("Echo", 1);
    assertError(post(instance(done) + "/suspend", null), 410, "instance_finished");
    assertError(post(instance(done) + "/resume", null), 410, "instance_finished");
    assertError(post(instance("nobody") + "/suspend", null), 404, "instance_not_found");
    assertError(post(instance("nobody") + "/resume", null), 404, "instance_not_found");
  }

  @Test
  void terminate_recursive_reachesChildAndGrandchild_plainOnlyTheInstance() {
    List<String> plain = startFamily("plain");
    List<String> recursive = startFamily("deep");

    assertThat(post(BASE + "/instances/plain/terminate?reason=one", null).statusCode())
        .isEqualTo(202);
    assertThat(
            post(BASE + "/instances/deep/terminate?reason=all&recursive=true", null).statusCode())
        .isEqualTo(202);

    recursive.forEach(id -> awaitStatus(id, OrchestrationStatus.TERMINATED));
    awaitStatus("plain", OrchestrationStatus.TERMINATED);
    for (String id : plain.subList(1, 3)) {
      awaitInboxProcessed(id);
      assertThat(client.getInstance(id).orElseThrow().getStatus())
          .as(id)
          .isEqualTo(OrchestrationStatus.RUNNING);
    }
  }

  @Test
  void suspendAndResume_recursive_reachChildAndGrandchild_plainOnlyTheInstance() {
    List<String> family = startFamily("tree");

    assertThat(post(BASE + "/instances/tree/suspend?recursive=true", null).statusCode())
        .isEqualTo(202);
    family.forEach(id -> awaitStatus(id, OrchestrationStatus.SUSPENDED));
    assertThat(post(BASE + "/instances/tree/resume?reason=r&recursive=true", null).statusCode())
        .isEqualTo(202);
    family.forEach(id -> awaitStatus(id, OrchestrationStatus.RUNNING));

    assertThat(post(BASE + "/instances/tree/suspend?recursive=false", null).statusCode())
        .isEqualTo(202);
    awaitStatus("tree", OrchestrationStatus.SUSPENDED);
    for (String id : family.subList(1, 3)) {
      awaitInboxProcessed(id);
      assertThat(client.getInstance(id).orElseThrow().getStatus())
          .as(id)
          .isEqualTo(OrchestrationStatus.RUNNING);
    }
    assertThat(post(BASE + "/instances/tree:child/suspend?recursive=true", null).statusCode())
        .isEqualTo(202);
    awaitStatus("tree:child:child", OrchestrationStatus.SUSPENDED);
    assertThat(post(BASE + "/instances/tree:child/resume", null).statusCode()).isEqualTo(202);
    awaitStatus("tree:child", OrchestrationStatus.RUNNING);
    awaitInboxProcessed("tree:child:child");
    assertThat(client.getInstance("tree:child:child").orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.SUSPENDED);
  }

  @Test
  void recursive_notABoolean_is400NamingIt() {
    startRunning("r1");
    for (String op : List.of("terminate", "suspend", "resume")) {
      HttpResponse<String> r = post(BASE + "/instances/r1/" + op + "?recursive=yes", null);
      assertError(r, 400, "invalid_parameter");
      assertThat(json(r).path("message").asText()).contains("recursive");
    }
    assertThat(client.getInstance("r1").orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.RUNNING);
  }

  @Test
  void suspendWhilePending_isSuspended_andResume202_letsItStartAndComplete() {
    Instant startAt = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
    client.scheduleNew("WaitForGo", null, new FermataClient.StartOptions("sus-pending", startAt));

    assertThat(post(instance("sus-pending") + "/suspend?reason=later", null).statusCode())
        .isEqualTo(202);
    awaitStatus("sus-pending", OrchestrationStatus.SUSPENDED);
    assertThat(json(get(instance("sus-pending"))).path("runtimeStatus").asText())
        .isEqualTo("Suspended");
    assertThat(post(instance("sus-pending") + "/raiseEvent/Go", "\"went\"").statusCode())
        .isEqualTo(202);
    assertThat(post(instance("sus-pending") + "/resume?reason=now", null).statusCode())
        .isEqualTo(202);

    assertThat(client.waitForCompletion("sus-pending", WAIT).getSerializedOutput())
        .isEqualTo("\"went\"");
    HttpResponse<String> done = get(instance("sus-pending"));
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(json(done).path("runtimeStatus").asText()).isEqualTo("Completed");
  }

  @Test
  void rewind_failed202_completed410_running409_unknown404() {
    FAIL_FLAKY.set(true);
    String failed = startAndWait("Flaky", null);
    assertThat(client.getInstance(failed).orElseThrow().getStatus())
        .isEqualTo(OrchestrationStatus.FAILED);
    String done = startAndWait("Echo", 1);
    startRunning("rw-running");

    assertThat(post(instance(failed) + "/rewind?reason=fixed", null).statusCode()).isEqualTo(202);
    assertError(post(instance(done) + "/rewind", null), 410, "instance_finished");
    assertError(post(instance("rw-running") + "/rewind", null), 409, "instance_status_conflict");
    assertError(post(instance("nobody") + "/rewind", null), 404, "instance_not_found");
    assertThat(awaitStatus(failed, OrchestrationStatus.COMPLETED).getSerializedOutput())
        .isEqualTo("\"fine\"");
  }

  @Test
  void restart_is202WithNewInstancePayload_unknown404() {
    String id = startAndWait("Echo", "again");

    HttpResponse<String> r = post(instance(id) + "/restart", null);

    assertThat(r.statusCode()).isEqualTo(202);
    String newId = json(r).path("id").asText();
    assertThat(newId).isNotEqualTo(id);
    assertThat(r.headers().firstValue("Location")).hasValue(origin + instance(newId));
    assertThat(client.waitForCompletion(newId, WAIT).getSerializedOutput()).isEqualTo("\"again\"");

    HttpResponse<String> same =
        post(instance(id) + "/restart?restartWithNewInstanceId=false", null);
    assertThat(same.statusCode()).isEqualTo(202);
    assertThat(json(same).path("id").asText()).isEqualTo(id);

    HttpResponse<String> waited =
        post(instance(id) + "/restart?timeout=20&pollingInterval=1", null);
    assertThat(waited.statusCode()).isEqualTo(200);
    assertThat(waited.body()).isEqualTo("\"again\"");

    assertError(post(instance("nobody") + "/restart", null), 404, "instance_not_found");
  }

  @Test
  void wrongVerbOnKnownRoute_is404_unknownRoute404() {
    assertError(send(request(instance("x") + "/terminate").GET()), 404, "method_not_supported");
    assertError(
        send(request(instance("x")).PUT(HttpRequest.BodyPublishers.noBody())),
        404,
        "method_not_supported");
    assertError(get(BASE + "/nothing/here"), 404, "route_not_found");
  }
}
