package dev.fermata.host;

import static dev.fermata.host.HostTestSupport.get;
import static dev.fermata.host.HostTestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host serves /healthz and /readyz, without the management key. */
class HealthEndpointsTest {
  @TempDir Path dir;

  @Test
  void aStartedHost_isLiveAndReady_withoutTheKey() throws Exception {
    HostConfig config = HostTestSupport.config(dir.resolve("h.db")).withManagementKey("k3y");
    try (FermataHost host = FermataHost.builder(config).build().start()) {
      HttpResponse<String> health = get(host.baseUrl() + "/healthz");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/json");
      assertThat(json(health).path("status").asText()).isEqualTo("ok");

      HttpResponse<String> ready = get(host.baseUrl() + "/readyz");
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(json(ready).path("status").asText()).isEqualTo("ready");

      assertThat(get(host.baseUrl() + "/runtime/webhooks/durabletask/instances").statusCode())
          .isEqualTo(401);
    }
  }
}
