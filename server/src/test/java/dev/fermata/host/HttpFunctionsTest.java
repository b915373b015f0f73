package dev.fermata.host;

import static dev.fermata.host.HostTestSupport.config;
import static dev.fermata.host.HostTestSupport.get;
import static dev.fermata.host.HostTestSupport.json;
import static dev.fermata.host.HostTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.OrchestrationContext;
import dev.fermata.annotations.Activity;
import dev.fermata.annotations.HttpTrigger;
import dev.fermata.annotations.Orchestrator;
import dev.fermata.http.DurableHttpClient;
import dev.fermata.http.HttpRequestMessage;
import dev.fermata.http.HttpResponseMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User HTTP functions over real HTTP, declared with annotations, with the check-status helpers. */
class HttpFunctionsTest {
  @TempDir Path dir;
  private FermataHost host;

  record Greeting(String name, String language) {}

  public static class Functions {
    @Orchestrator("Greet")
    public String greet(OrchestrationContext ctx, Greeting g) {
      return ctx.callActivity("SayHello", g, String.class).await();
    }

    @Orchestrator("WaitForApproval")
    public String waitForApproval(OrchestrationContext ctx) {
      return ctx.waitForExternalEvent("Approval", String.class).await();
    }

    @Activity("SayHello")
    public String sayHello(Greeting g) {
      return ("fr".equals(g.language()) ? "Bonjour " : "Hello ") + g.name();
    }

    @HttpTrigger(route = "greet/{language}", methods = "POST")
    public HttpResponseMessage start(HttpRequestMessage req, DurableHttpClient durable) {
      Greeting g = new Greeting(req.bodyAs(Greeting.class).name(), req.pathParam("language"));
      String id = durable.client().scheduleNew("Greet", g);
      if ("true".equals(req.query("wait"))) {
        return durable.waitForCompletionOrCreateCheckStatusResponse(
            req, id, Duration.ofSeconds(30), Duration.ofMillis(500));
      }
      return durable.createCheckStatusResponse(req, id);
    }

    @HttpTrigger(route = "approvals", methods = "POST")
    public HttpResponseMessage startApproval(HttpRequestMessage req, DurableHttpClient durable) {
      String id = durable.client().scheduleNew("WaitForApproval", null);
      return durable.waitForCompletionOrCreateCheckStatusResponse(req, id, Duration.ofSeconds(1));
    }

    @HttpTrigger(
        route = "echo/{a}/{b}",
        methods = {"GET", "PUT"})
    public Map<String, Object> echo(HttpRequestMessage req) {
      return Map.of(
          "method", req.method(),
          "a", req.pathParam("a"),
          "b", req.pathParam("b"),
          "q", String.valueOf(req.query("q")),
          "header", String.valueOf(req.header("X-Custom")),
          "body", req.bodyText());
    }

    @HttpTrigger(route = "text")
    public HttpResponseMessage text() {
      return HttpResponseMessage.text(418, "short and stout").header("X-Teapot", "yes");
    }

    @HttpTrigger(route = "fail")
    public String fail() {
      throw new IllegalStateException("the function broke");
    }

    @HttpTrigger(route = "nothing", methods = "DELETE")
    public void nothing() {}
  }

  private String start(HostConfig config) {
    host = FermataHost.builder(config).register(Functions.class).build().start();
    return host.baseUrl();
  }

  @AfterEach
  void stop() {
    if (host != null) {
      host.close();
    }
  }

  @Test
  void createCheckStatusResponse_answersAsDurableFunctions() throws Exception {
    String base = start(config(dir.resolve("h.db")));
    HttpResponse<String> r = post(base + "/api/greet/fr", "{\"name\": \"Ada\"}");

    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode body = json(r);
    String id = body.get("id").asText();
    String status = base + "/runtime/webhooks/durabletask/instances/" + id;
    assertThat(r.headers().firstValue("Location")).contains(status);
    assertThat(r.headers().firstValue("Retry-After")).contains("10");
    assertThat(body.get("statusQueryGetUri").asText()).isEqualTo(status);
    assertThat(body.get("sendEventPostUri").asText()).isEqualTo(status + "/raiseEvent/{eventName}");
    assertThat(body.get("terminatePostUri").asText())
        .isEqualTo(status + "/terminate?reason={text}");
    assertThat(body.get("purgeHistoryDeleteUri").asText()).isEqualTo(status);
    assertThat(body.get("restartPostUri").asText()).isEqualTo(status + "/restart");
    assertThat(body.get("suspendPostUri").asText()).isEqualTo(status + "/suspend?reason={text}");
    assertThat(body.get("resumePostUri").asText()).isEqualTo(status + "/resume?reason={text}");

    // Polling the Location as a Durable Functions client does: 202 until done, then 200.
    HostTestSupport.await(
        "the instance to complete",
        () -> {
          try {
            return get(status).statusCode() == 200;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    assertThat(json(get(status)).get("output").asText()).isEqualTo("Bonjour Ada");
  }

  @Test
  void waitForCompletion_answers200WithTheOutput_or202WhenNotDoneInTime() throws Exception {
    String base = start(config(dir.resolve("h.db")));
    HttpResponse<String> done = post(base + "/api/greet/en?wait=true", "{\"name\": \"Bo\"}");
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).isEqualTo("\"Hello Bo\"");
    assertThat(done.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));

    HttpResponse<String> pending = post(base + "/api/approvals", "");
    assertThat(pending.statusCode()).isEqualTo(202);
    assertThat(pending.headers().firstValue("Location")).isPresent();
    assertThat(json(pending).get("id").asText()).isNotBlank();
  }

  @Test
  void routeParameters_query_headers_body_andMethodsReachTheFunction() throws Exception {
    String base = start(config(dir.resolve("h.db")));
    HttpResponse<String> r =
        HostTestSupport.HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/api/echo/one/t%C3%A9?q=x%20y"))
                .header("X-Custom", "c")
                .PUT(HttpRequest.BodyPublishers.ofString("raw text"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r))
        .isEqualTo(
            HostTestSupport.JSON.valueToTree(
                Map.of(
                    "method",
                    "PUT",
                    "a",
                    "one",
                    "b",
                    "té",
                    "q",
                    "x y",
                    "header",
                    "c",
                    "body",
                    "raw text")));

    HttpResponse<String> teapot = get(base + "/api/text");
    assertThat(teapot.statusCode()).isEqualTo(418);
    assertThat(teapot.body()).isEqualTo("short and stout");
    assertThat(teapot.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(teapot.headers().firstValue("X-Teapot")).contains("yes");

    HttpResponse<String> none =
        HostTestSupport.HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/api/nothing")).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(204);
    // A verb the function does not take: 404, as for the management routes.
    assertThat(post(base + "/api/echo/a/b", "").statusCode()).isEqualTo(404);
    assertThat(get(base + "/api/no/such/route").statusCode()).isEqualTo(404);
  }

  @Test
  void aFailingFunction_is500WithAnErrorBody_andTheHostKeepsServing() throws Exception {
    String base = start(config(dir.resolve("h.db")));
    HttpResponse<String> r = get(base + "/api/fail");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(json(r).get("error").asText()).isEqualTo("function_failed");
    assertThat(json(r).get("message").asText())
        .contains("'fail'")
        .contains("IllegalStateException");
    assertThat(get(base + "/api/text").statusCode()).isEqualTo(418);
  }

  @Test
  void malformedJson_inABody_is400NamingTheProblem() throws Exception {
    String base = start(config(dir.resolve("h.db")));
    HttpResponse<String> r = post(base + "/api/greet/en", "{\"name\": ");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).isEqualTo("invalid_json");
    assertThat(json(r).get("message").asText()).contains("request body is not valid JSON");
  }

  @Test
  void withAManagementKey_everyRouteNeedsIt_andCheckStatusUrlsCarryIt() throws Exception {
    String base = start(config(dir.resolve("h.db")).withManagementKey("k3y"));
    assertThat(post(base + "/api/greet/en", "{\"name\": \"Al\"}").statusCode()).isEqualTo(401);
    assertThat(get(base + "/api/text").statusCode()).isEqualTo(401);
    assertThat(get(base + "/runtime/webhooks/durabletask/instances").statusCode()).isEqualTo(401);

    HttpResponse<String> r = post(base + "/api/greet/en?code=k3y", "{\"name\": \"Al\"}");
    assertThat(r.statusCode()).isEqualTo(202);
    String statusUrl = json(r).get("statusQueryGetUri").asText();
    assertThat(statusUrl).endsWith("?code=k3y");
    assertThat(json(r).get("terminatePostUri").asText())
        .endsWith("/terminate?reason={text}&code=k3y");
    assertThat(get(statusUrl).statusCode()).isIn(200, 202);
    HttpResponse<String> withHeader =
        HostTestSupport.HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/api/text"))
                .header("x-functions-key", "k3y")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(withHeader.statusCode()).isEqualTo(418);
  }

  @Test
  void managementRoutes_takePrecedence_andStartTheAnnotatedOrchestrators() throws Exception {
    String base = start(config(dir.resolve("h.db")));
    HttpResponse<String> r =
        post(
            base + "/api/orchestrators/Greet?timeout=30&pollingInterval=1",
            "{\"name\":\"Cy\",\"language\":\"en\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("\"Hello Cy\"");
    assertThat(post(base + "/api/orchestrators/Nope", "").statusCode()).isEqualTo(400);
    assertThat(host.fermata().orchestratorNames()).contains("Greet", "WaitForApproval");
    assertThat(host.httpFunctions().stream().map(f -> f.name()).toList())
        .containsExactlyInAnyOrder("start", "startApproval", "echo", "text", "fail", "nothing");
    assertThat(List.of(host.port())).doesNotContain(0);
  }
}
