package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManagementKeyTest extends HttpApiTestSupport {
  private static final String KEY = "s3cret key/+";

  @Override
  String managementKey() {
    return KEY;
  }

  private static String code() {
    return CheckStatusPayload.encode(KEY);
  }

  @Test
  void everyRoute_withoutTheKey_is401() {
    assertError(get(BASE + "/instances"), 401, "unauthorized");
    assertError(get(BASE + "/instances/x"), 401, "unauthorized");
    assertError(post("/api/orchestrators/Echo", null), 401, "unauthorized");
    assertError(post(BASE + "/orchestrators/Echo", null), 401, "unauthorized");
    assertError(get("/no/such/route"), 401, "unauthorized");
    assertError(get(BASE + "/instances?code=wrong"), 401, "unauthorized");
    assertThat(client.query(dev.fermata.InstanceQuery.all()).instances()).isEmpty();
  }

  @Test
  void theKeyInTheHeader_orTheCodeParameter_isAccepted() {
    HttpResponse<String> viaHeader =
        send(request(BASE + "/instances").header("x-functions-key", KEY).GET());
    assertThat(viaHeader.statusCode()).isEqualTo(200);

    HttpResponse<String> viaCode = get(BASE + "/instances?code=" + code());
    assertThat(viaCode.statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orchestrators", BASE + "/orchestrators"})
  void generatedUrls_carryTheCode_andWork(String startRoute) {
    HttpResponse<String> r =
        send(
            request(startRoute + "/Echo")
                .header("x-functions-key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString("7")));

    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode p = json(r);
    assertThat(p.path("statusQueryGetUri").asText()).endsWith("?code=" + code());
    assertThat(p.path("terminatePostUri").asText()).endsWith("?reason={text}&code=" + code());
    client.waitForCompletion(p.path("id").asText(), WAIT);
    HttpResponse<String> status = get(p.path("statusQueryGetUri").asText());
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(json(status).path("output").asInt()).isEqualTo(7);
  }
}
