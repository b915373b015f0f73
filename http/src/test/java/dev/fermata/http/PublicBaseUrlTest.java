package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** With a public base URL, the URLs handed out start with it, whatever Host the client sent. */
class PublicBaseUrlTest extends HttpApiTestSupport {
  private static final String PUBLIC = "https://fermata.example.com/durable";

  @Override
  ManagementApiOptions options() {
    return super.options().withPublicBaseUrl(PUBLIC + "/");
  }

  @Test
  void checkStatusPayloadAndLocation_useThePublicBaseUrl() {
    HttpResponse<String> r = post("/api/orchestrators/WaitForGo/pub-1", "null");

    assertThat(r.statusCode()).isEqualTo(202);
    String status = PUBLIC + BASE + "/instances/pub-1";
    assertThat(r.headers().firstValue("Location")).hasValue(status);
    JsonNode payload = json(r);
    assertThat(payload.path("statusQueryGetUri").asText()).isEqualTo(status);
    assertThat(payload.path("terminatePostUri").asText())
        .isEqualTo(status + "/terminate?reason={text}");
    payload
        .fields()
        .forEachRemaining(
            f -> {
              if (f.getKey().endsWith("Uri")) {
                assertThat(f.getValue().asText()).startsWith(PUBLIC + BASE);
              }
            });
    HttpResponse<String> running = get(BASE + "/instances/pub-1");
    assertThat(running.statusCode()).isEqualTo(202);
    assertThat(running.headers().firstValue("Location")).hasValue(status);
  }

  @Test
  void aPublicBaseUrlThatIsNotAnAbsoluteHttpUrl_isRefusedNamingIt() {
    for (String bad :
        new String[] {"fermata.example.com", "ftp://example.com", "https://", "http://h/?a=b"}) {
      assertThatThrownBy(() -> ManagementApiOptions.defaults().withPublicBaseUrl(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("publicBaseUrl")
          .hasMessageContaining(bad);
    }
  }
}
