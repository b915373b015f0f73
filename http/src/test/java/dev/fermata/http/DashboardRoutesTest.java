package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.OrchestrationStatus;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dashboard's files and its counts, over HTTP, with a management key set. */
class DashboardRoutesTest extends HttpApiTestSupport {
  private static final String KEY = "k3y";

  @Override
  String managementKey() {
    return KEY;
  }

  @ParameterizedTest
  @ValueSource(strings = {"/dashboard", "/dashboard/", "/dashboard/index.html"})
  void thePage_isServedWithoutTheKey_andLoadsNothingFromElsewhere(String path) {
    HttpResponse<String> page = get(path);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'self'"));
    assertThat(page.body())
        .contains("<script src=\"/dashboard/app.js\"")
        .doesNotContain("http://", "https://");
  }

  @Test
  void theScriptAndStyle_areServedWithTheirTypes() {
    HttpResponse<String> script = get("/dashboard/app.js");
    HttpResponse<String> style = get("/dashboard/app.css");

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("/runtime/webhooks/durabletask");
    assertThat(style.statusCode()).isEqualTo(200);
    assertThat(style.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
  }

  @Test
  void otherPathsUnderTheDashboard_needTheKey() {
    assertError(get("/dashboard/api/counts"), 401, "unauthorized");
    assertError(get("/dashboard/secrets.txt"), 401, "unauthorized");
    assertError(get("/dashboard/secrets.txt?code=" + KEY), 404, "route_not_found");
  }

  @Test
  void counts_followTheListsFilters() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(client.scheduleNew("Echo", i, StartOptions.withId("echo-" + i)));
    }
    client.scheduleNew("WaitForGo", null, StartOptions.withId("wait-1"));
    client.scheduleNew("Fail", null, StartOptions.withId("fail-1"));
    ids.forEach(id -> client.waitForCompletion(id, WAIT));
    client.waitForCompletion("fail-1", WAIT);
    awaitStatus("wait-1", OrchestrationStatus.RUNNING);

    JsonNode all = json(get("/dashboard/api/counts?code=" + KEY));
    assertThat(all.path("total").asLong()).isEqualTo(5);
    assertThat(all.path("byStatus").path("Completed").asLong()).isEqualTo(3);
    assertThat(all.path("byStatus").path("Running").asLong()).isEqualTo(1);
    assertThat(all.path("byStatus").path("Failed").asLong()).isEqualTo(1);
    assertThat(all.path("byStatus").has("Pending")).isFalse();

    JsonNode echoes = json(get("/dashboard/api/counts?name=Echo&code=" + KEY));
    assertThat(echoes.path("total").asLong()).isEqualTo(3);
    JsonNode unfinished =
        json(get("/dashboard/api/counts?runtimeStatus=Running,Failed&code=" + KEY));
    assertThat(unfinished.path("total").asLong()).isEqualTo(2);
    JsonNode prefixed = json(get("/dashboard/api/counts?instanceIdPrefix=echo-1&code=" + KEY));
    assertThat(prefixed.path("total").asLong()).isEqualTo(1);
    assertError(
        get("/dashboard/api/counts?runtimeStatus=Sleeping&code=" + KEY), 400, "invalid_parameter");
  }

  @Test
  void theList_pagesNewestFirst_whenAsked() {
    // Created in this order; any two in the same millisecond are ordered by id, the same way.
    for (int i = 0; i < 5; i++) {
      client.scheduleNew("Echo", i, StartOptions.withId("n-" + i));
    }

    JsonNode oldest = json(get(BASE + "/instances?name=Echo&top=5&code=" + KEY));
    HttpResponse<String> firstTwo =
        get(BASE + "/instances?name=Echo&top=2&newestFirst=true&code=" + KEY);
    String token = firstTwo.headers().firstValue(InstanceQueryRoutes.CONTINUATION_HEADER).get();
    JsonNode nextTwo =
        json(
            send(
                request(BASE + "/instances?name=Echo&top=2&newestFirst=true&code=" + KEY)
                    .header(InstanceQueryRoutes.CONTINUATION_HEADER, token)
                    .GET()));

    assertThat(ids(oldest)).containsExactly("n-0", "n-1", "n-2", "n-3", "n-4");
    assertThat(ids(json(firstTwo))).containsExactly("n-4", "n-3");
    assertThat(ids(nextTwo)).containsExactly("n-2", "n-1");
  }

  @Test
  void workers_onAStoreOneHostOwns_areTheBacklogAlone() {
    client.waitForCompletion(client.scheduleNew("Greet", "Ada"), WAIT);

    JsonNode workers = json(get("/dashboard/api/workers?code=" + KEY));

    assertThat(workers.path("shared").asBoolean()).isFalse();
    assertThat(workers.path("workers").isArray()).isTrue();
    assertThat(workers.path("workers")).isEmpty();
    assertThat(workers.path("backlog").path("visibleMessages").asLong()).isZero();
    assertThat(workers.path("backlog").path("activityTasks").asLong()).isZero();
    assertThat(workers.path("backlog").has("oldestVisibleAt")).isFalse();
    assertError(get("/dashboard/api/workers"), 401, "unauthorized");
  }

  private static List<String> ids(JsonNode list) {
    List<String> ids = new ArrayList<>();
    list.forEach(s -> ids.add(s.path("instanceId").asText()));
    return ids;
  }
}
