package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.entities.EntityId;
import dev.fermata.testsupport.Poll;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The entity routes over real HTTP on loopback, against an engine on SQLite. */
class EntityRoutesTest extends HttpApiTestSupport {

  private void awaitState(String path, String expectedBody) {
    Poll.until(
        path + " to answer " + expectedBody,
        WAIT,
        () -> {
          HttpResponse<String> r = get(path);
          return r.statusCode() == 200 && r.body().equals(expectedBody);
        });
  }

  @Test
  void post_signalsTheOperation_andGetReturnsTheState() {
    HttpResponse<String> missing = get(BASE + "/entities/Counter/k1");
    assertError(missing, 404, "entity_not_found");

    assertThat(post(BASE + "/entities/Counter/k1?op=add", "5").statusCode()).isEqualTo(202);
    assertThat(post(BASE + "/entities/counter/k1?op=add", "7").statusCode()).isEqualTo(202);

    awaitState(BASE + "/entities/COUNTER/k1", "12");
    assertThat(get(BASE + "/entities/counter/K1").statusCode()).isEqualTo(404); // keys keep case
  }

  @Test
  void delete_signalsDelete_andTheEntityIsThenNotFound() {
    post(BASE + "/entities/Counter/gone?op=add", "1");
    awaitState(BASE + "/entities/Counter/gone", "1");

    assertThat(delete(BASE + "/entities/Counter/gone").statusCode()).isEqualTo(202);

    Poll.until("deleted", WAIT, () -> get(BASE + "/entities/Counter/gone").statusCode() == 404);
    assertThat(json(get(BASE + "/entities/Counter")).size()).isZero();
  }

  @Test
  void dollarKey_meansTheEmptyKey() {
    post(BASE + "/entities/Counter/$?op=add", "3");
    awaitState(BASE + "/entities/Counter/$", "3");
    assertThat(client.getEntity(new EntityId("Counter", ""), Integer.class).orElseThrow().state())
        .isEqualTo(3);
  }

  @Test
  void list_filtersByName_pagesWithTheContinuationHeader_andFetchesState() {
    for (int i = 0; i < 5; i++) {
      post(BASE + "/entities/Counter/k" + i + "?op=add", String.valueOf(i + 10));
    }
    for (int i = 0; i < 5; i++) {
      awaitState(BASE + "/entities/Counter/k" + i, String.valueOf(i + 10));
    }

    List<JsonNode> entries = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      HttpRequest.Builder b = request(BASE + "/entities/counter?top=2&fetchState=true").GET();
      if (token != null) {
        b.header("x-ms-continuation-token", token);
      }
      HttpResponse<String> page = send(b);
      assertThat(page.statusCode()).isEqualTo(200);
      json(page).forEach(entries::add);
      token = page.headers().firstValue("x-ms-continuation-token").orElse(null);
      pages++;
    } while (token != null);

    assertThat(pages).isGreaterThanOrEqualTo(3);
    assertThat(entries).hasSize(5);
    assertThat(entries)
        .extracting(e -> e.path("entityId").path("key").asText())
        .containsExactlyInAnyOrder("k0", "k1", "k2", "k3", "k4");
    assertThat(entries)
        .allSatisfy(e -> assertThat(e.path("entityId").path("name").asText()).isEqualTo("counter"));
    assertThat(entries)
        .extracting(e -> e.path("state").asInt())
        .containsExactlyInAnyOrder(10, 11, 12, 13, 14);
    assertThat(entries)
        .allSatisfy(e -> assertThat(e.path("lastOperationTime").asText()).endsWith("Z"));

    JsonNode all = json(get(BASE + "/entities"));
    assertThat(all).hasSize(5);
    assertThat(all.get(0).has("state")).isFalse();
    assertThat(json(get(BASE + "/entities?lastOperationTimeFrom=2999-01-01T00:00:00Z"))).isEmpty();
    assertThat(json(get(BASE + "/entities/Other"))).isEmpty();
    // Entity rows are not orchestration instances.
    assertThat(json(get(BASE + "/instances"))).isEmpty();
  }

  @Test
  void badRequests_areRejectedWithAClearError() {
    assertError(post(BASE + "/entities/Counter/k", "1"), 400, "missing_parameter");
    assertError(post(BASE + "/entities/Nope/k?op=add", "1"), 400, "unknown_function");
    assertError(post(BASE + "/entities/Counter/k?op=add", "{not json"), 400, "invalid_json");
    assertError(get(BASE + "/entities?top=0"), 400, "invalid_parameter");
    assertThat(get(BASE + "/entities/Counter/k").statusCode()).isEqualTo(404);
  }

  @Test
  void plainTextBody_isTheInputAsAString() {
    HttpResponse<String> r =
        send(
            request(BASE + "/entities/Counter/text?op=add")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("4")));
    assertThat(r.statusCode()).isEqualTo(202);
    // "4" as a JSON string still reads as the integer 4 (Jackson coerces), so the add works.
    awaitState(BASE + "/entities/Counter/text", "4");
  }
}
