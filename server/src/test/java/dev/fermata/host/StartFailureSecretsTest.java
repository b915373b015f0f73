package dev.fermata.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.testsupport.Logs;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A host whose PostgreSQL cannot be reached says so without printing the password. */
class StartFailureSecretsTest {
  private static final String SECRET = "hunter2-pw";

  @Test
  void aJdbcUrlWithAPassword_thatCannotConnect_neverPrintsThePassword() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    for (String url :
        new String[] {
          "jdbc:postgresql://127.0.0.1:" + closedPort + "/fermata?user=app&password=" + SECRET,
          "jdbc:postgresql://127.0.0.1:notaport/fermata?password=" + SECRET,
          "jdbc:postgresql://app:" + SECRET + "@127.0.0.1:" + closedPort + "/fermata",
          // libpq URLs, where a JDBC URL belongs: refused when the host is built
          "postgresql://app:" + SECRET + "@db.example/fermata",
          "postgres://db.example/fermata?sslmode=require&password=" + SECRET
        }) {
      HostConfig config =
          HostConfig.defaults()
              .withGrpcPort(null)
              .withPort(0)
              .withStorage("postgres", Map.of("connectionString", url));
      String[] message = new String[1];
      String log =
          Logs.capture(
              () -> {
                assertThatThrownBy(() -> FermataHost.builder(config).build().start())
                    .satisfies(e -> message[0] = String.valueOf(e.getMessage()));
              });
      assertThat(message[0]).as(url).contains("***").doesNotContain(SECRET);
      assertThat(log).as(url).doesNotContain(SECRET);
    }
  }
}
