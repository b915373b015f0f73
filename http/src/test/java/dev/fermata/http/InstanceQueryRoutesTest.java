package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.FermataClient;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InstanceQueryRoutesTest extends HttpApiTestSupport {
  private static final String INSTANCES = BASE + "/instances";
  private static final String TOKEN = "x-ms-continuation-token";

  private List<String> ids(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    json(r).forEach(s -> ids.add(s.path("instanceId").asText()));
    return ids;
  }

  private void startEchoes(String prefix, int n) {
    for (int i = 0; i < n; i++) {
      String id = prefix + i;
      client.scheduleNew("Echo", i, FermataClient.StartOptions.withId(id));
      client.waitForCompletion(id, WAIT);
    }
  }

  @Test
  void list_returnsStatusObjects_withoutHistory() {
    startEchoes("e-", 2);

    HttpResponse<String> r = get(INSTANCES);

    assertThat(ids(r)).containsExactlyInAnyOrder("e-0", "e-1");
    JsonNode first = json(r).get(0);
    assertThat(first.path("runtimeStatus").asText()).isEqualTo("Completed");
    assertThat(first.has("historyEvents")).isFalse();
    assertThat(first.path("input").isInt()).isTrue();
    assertThat(r.headers().firstValue(TOKEN)).isEmpty();
    assertThat(json(get(INSTANCES + "?showInput=false")).get(0).path("input").isNull()).isTrue();
  }

  @Test
  void list_filtersByStatusCommaListAndRepeated_andByPrefix() {
    startEchoes("done-", 2);
    startRunning("run-a");
    startAndWait("Fail", null);

    assertThat(ids(get(INSTANCES + "?runtimeStatus=Running"))).containsExactly("run-a");
    assertThat(ids(get(INSTANCES + "?runtimeStatus=Running,Completed"))).hasSize(3);
    assertThat(ids(get(INSTANCES + "?runtimeStatus=Running&runtimeStatus=Failed"))).hasSize(2);
    assertThat(ids(get(INSTANCES + "?instanceIdPrefix=done-")))
        .containsExactlyInAnyOrder("done-0", "done-1");
    assertError(get(INSTANCES + "?runtimeStatus=Sleeping"), 400, "invalid_parameter");
  }

  @Test
  void list_filtersByCreatedTime_andRejectsBadTimes() {
    startEchoes("t-", 1);
    Instant later = Instant.now().plus(1, ChronoUnit.HOURS);

    assertThat(ids(get(INSTANCES + "?createdTimeFrom=" + later))).isEmpty();
    assertThat(ids(get(INSTANCES + "?createdTimeFrom=2000-01-01T00:00:00Z&createdTimeTo=" + later)))
        .containsExactly("t-0");
    assertError(get(INSTANCES + "?createdTimeFrom=yesterday"), 400, "invalid_parameter");
  }

  @Test
  void list_pagesWithTheContinuationHeader() {
    startEchoes("p-", 5);

    Set<String> seen = new HashSet<>();
    String token = null;
    int pages = 0;
    do {
      var b = request(INSTANCES + "?top=2").GET();
      if (token != null) {
        b.header(TOKEN, token);
      }
      HttpResponse<String> r = send(b);
      List<String> page = ids(r);
      assertThat(page.size()).isLessThanOrEqualTo(2);
      seen.addAll(page);
      Optional<String> next = r.headers().firstValue(TOKEN);
      token = next.filter(t -> !t.isEmpty()).orElse(null);
      pages++;
    } while (token != null && pages < 10);

    assertThat(seen).containsExactlyInAnyOrder("p-0", "p-1", "p-2", "p-3", "p-4");
    assertThat(pages).isGreaterThanOrEqualTo(3);
  }

  @Test
  void list_badTop_is400() {
    assertError(get(INSTANCES + "?top=0"), 400, "invalid_parameter");
    assertError(get(INSTANCES + "?top=lots"), 400, "invalid_parameter");
  }

  @Test
  void purge_byFilter_deletesFinishedOnes_keepsRunning() {
    startEchoes("d-", 3);
    startRunning("d-running");

    HttpResponse<String> r = delete(INSTANCES + "?createdTimeFrom=2000-01-01T00:00:00Z");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).path("instancesDeleted").asInt()).isEqualTo(3);
    assertThat(ids(get(INSTANCES))).containsExactly("d-running");
  }

  @Test
  void purge_byFilter_withStatus_onlyThoseStatuses() {
    startEchoes("s-", 2);
    String failed = startAndWait("Fail", null);

    HttpResponse<String> r =
        delete(INSTANCES + "?createdTimeFrom=2000-01-01T00:00:00Z&runtimeStatus=Failed");

    assertThat(json(r).path("instancesDeleted").asInt()).isEqualTo(1);
    assertThat(client.getInstance(failed)).isEmpty();
    assertThat(client.getInstance("s-0")).isPresent();
  }

  @Test
  void purge_byFilter_withoutCreatedTimeFrom_is400_andNothingMatched_is404() {
    assertError(delete(INSTANCES), 400, "missing_parameter");
    assertError(delete(INSTANCES + "?createdTimeFrom=2000-01-01T00:00:00Z"), 404, "no_instances");
  }
}
