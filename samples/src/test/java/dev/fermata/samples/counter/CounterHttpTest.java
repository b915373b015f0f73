package dev.fermata.samples.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.samples.SampleHost;
import dev.fermata.testsupport.Poll;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Counter entity in a real host, through the entity routes of the management API. */
class CounterHttpTest {
  private static final String C1 = "/runtime/webhooks/durabletask/entities/Counter/c1";

  @TempDir Path dir;

  @Test
  void addGetResetAndDelete() throws Exception {
    try (SampleHost host = SampleHost.start(dir, new CounterModule())) {
      assertThat(host.get(C1).statusCode()).isEqualTo(404);

      assertThat(host.post(C1 + "?op=add", "5").statusCode()).isEqualTo(202);
      assertThat(host.post(C1 + "?op=add", "3").statusCode()).isEqualTo(202);
      assertThat(host.awaitJson(C1, state -> state.asInt() == 8).asInt()).isEqualTo(8);

      // An operation that fails leaves the state alone; later ones still run.
      assertThat(host.post(C1 + "?op=add", "\"five\"").statusCode()).isEqualTo(202);
      assertThat(host.post(C1 + "?op=add", "1").statusCode()).isEqualTo(202);
      assertThat(host.awaitJson(C1, state -> state.asInt() == 9).asInt()).isEqualTo(9);

      assertThat(host.post(C1 + "?op=reset", null).statusCode()).isEqualTo(202);
      assertThat(host.awaitJson(C1, state -> state.asInt() == 0).asInt()).isZero();

      assertThat(host.post(C1 + "?op=delete", null).statusCode()).isEqualTo(202);
      awaitGone(host);
    }
  }

  @Test
  void anUnknownEntityNameIsRefused() throws Exception {
    try (SampleHost host = SampleHost.start(dir, new CounterModule())) {
      HttpResponse<String> response =
          host.post("/runtime/webhooks/durabletask/entities/Countr/c1?op=add", "1");
      assertThat(response.statusCode()).isEqualTo(400);
    }
  }

  private static void awaitGone(SampleHost host) {
    Poll.until(
        "the counter to be deleted",
        Duration.ofSeconds(60),
        () -> host.get(C1).statusCode() == 404);
  }
}
