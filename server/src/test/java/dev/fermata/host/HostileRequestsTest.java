package dev.fermata.host;

import static dev.fermata.host.HostTestSupport.get;
import static dev.fermata.host.HostTestSupport.json;
import static dev.fermata.host.HostTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.OrchestrationContext;
import dev.fermata.annotations.Activity;
import dev.fermata.annotations.HttpTrigger;
import dev.fermata.annotations.Orchestrator;
import dev.fermata.http.DurableHttpClient;
import dev.fermata.http.HttpRequestMessage;
import dev.fermata.http.HttpResponseMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch of hostile requests against a whole host (management API and user functions): the host
 * keeps answering, earlier state is unchanged and the database passes SQLite's integrity check.
 */
class HostileRequestsTest {
  @TempDir Path dir;

  record Order(String id, int quantity) {}

  public static class Functions {
    @Orchestrator("Keep")
    public String keep(OrchestrationContext ctx, Order o) {
      return ctx.callActivity("Note", o, String.class).await();
    }

    @Activity("Note")
    public String note(Order o) {
      return o.id() + " x" + o.quantity();
    }

    @HttpTrigger(
        route = "orders/{id}",
        methods = {"POST", "PUT"})
    public HttpResponseMessage order(HttpRequestMessage req, DurableHttpClient durable) {
      Order o = req.bodyAs(Order.class);
      String id = durable.client().scheduleNew("Keep", o);
      return durable.createCheckStatusResponse(req, id);
    }
  }

  @Test
  void hostileBatch_leavesTheHostAnsweringAndStateIntact() throws Exception {
    Path db = dir.resolve("hostile.db");
    HostConfig config =
        HostTestSupport.config(db)
            .withStorage("sqlite", Map.of("path", db.toString())); // durable writes, as in use
    try (FermataHost host = FermataHost.builder(config).register(new Functions()).build().start()) {
      String base = host.baseUrl();
      int port = host.port();
      String keep = host.fermata().client().scheduleNew("Keep", new Order("A", 2));
      host.fermata().client().waitForCompletion(keep, Duration.ofSeconds(60));
      String statusUrl = base + "/runtime/webhooks/durabletask/instances/" + keep;
      String before = get(statusUrl).body();

      // Bodies a function cannot read: 400 naming the problem, nothing started.
      assertThat(post(base + "/api/orders/1", "{\"id\": ").statusCode()).isEqualTo(400);
      HttpResponseMessageCheck.assertError(
          post(base + "/api/orders/1", "{\"id\": \"x\", \"quantity\": \"many\"}"),
          400,
          "invalid_body");
      var unknownField = post(base + "/api/orders/1", "{\"id\": \"x\", \"quantity\": 1, \"x\": 2}");
      HttpResponseMessageCheck.assertError(unknownField, 400, "invalid_body");
      assertThat(unknownField.body()).contains("Unrecognized field").doesNotContain("dev.fermata");
      String badUtf8 =
          raw(
              port,
              bytes(
                  "POST /api/orders/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 8\r\nConnection: close\r\n\r\n",
                  new byte[] {
                    '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, 'a', 'b', '"'
                  }));
      assertThat(statusLine(badUtf8)).contains(" 400");
      String wrongType =
          raw(
              port,
              bytes(
                  "PUT /api/orders/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                      + "Content-Length: 4\r\nConnection: close\r\n\r\n<a/>",
                  new byte[0]));
      assertThat(statusLine(wrongType)).contains(" 400");
      // A truncated body: the connection closes before Content-Length bytes arrive.
      raw(
          port,
          bytes(
              "POST /api/orders/truncated HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n"
                  + "Connection: close\r\n\r\n{\"id\":\"T\",",
              new byte[0]),
          true);
      // Over the body limit, declared or streamed.
      String huge =
          raw(
              port,
              bytes(
                  "POST /api/orders/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999\r\n"
                      + "Connection: close\r\n\r\n{",
                  new byte[0]),
              true);
      assertThat(statusLine(huge)).contains(" 413");
      // Bad paths, ids, methods and headers.
      assertThat(statusLine(raw(port, req("GET /api/orders/%ff%fe HTTP/1.1")))).contains(" 400");
      assertThat(statusLine(raw(port, req("BREW /api/orders/1 HTTP/1.1")))).contains(" 404");
      assertThat(statusLine(raw(port, req("GET /api/orchestrators/Keep/%00 HTTP/1.1"))))
          .doesNotContain(" 500");
      assertThat(post(base + "/api/orchestrators/Keep/" + "x".repeat(5000), "{}").statusCode())
          .isIn(400, 414, 431);
      assertThat(post(base + "/api/orchestrators/Keep/bad%23id", "{}").statusCode()).isEqualTo(400);
      assertThat(
              get(base + "/runtime/webhooks/durabletask/instances/" + "%2F..%2F..%2Fetc")
                  .statusCode())
          .isEqualTo(404);
      raw(
          port,
          bytes(
              "GET /api/orders/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                  + "a".repeat(300_000)
                  + "\r\nConnection: close\r\n\r\n",
              new byte[0]));
      raw(port, bytes("\u0016\u0003\u0001 not http at all\r\n\r\n", new byte[0]));
      assertThat(get(base + "/").statusCode()).isEqualTo(404);
      assertThat(get(base + "/api/").statusCode()).isEqualTo(404);

      // Still answering; the finished instance is unchanged; only the one valid order exists.
      assertThat(get(statusUrl).body()).isEqualTo(before);
      assertThat(json(get(base + "/runtime/webhooks/durabletask/instances"))).hasSize(1);
      var started = post(base + "/api/orders/2", "{\"id\": \"B\", \"quantity\": 1}");
      assertThat(started.statusCode()).isEqualTo(202);
      assertThat(
              host.fermata()
                  .client()
                  .waitForCompletion(json(started).get("id").asText(), Duration.ofSeconds(60))
                  .readOutputAs(String.class))
          .isEqualTo("B x1");
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet r = c.createStatement().executeQuery("PRAGMA integrity_check")) {
      r.next();
      assertThat(r.getString(1)).isEqualTo("ok");
    }
  }

  /** Error-body checks shared by the assertions above. */
  static final class HttpResponseMessageCheck {
    static void assertError(java.net.http.HttpResponse<String> r, int status, String error)
        throws IOException {
      assertThat(r.statusCode()).isEqualTo(status);
      assertThat(json(r).get("error").asText()).isEqualTo(error);
      assertThat(json(r).get("message").asText()).isNotBlank();
    }
  }

  private static byte[] req(String requestLine) {
    return (requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String head, byte[] tail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(tail);
    return out.toByteArray();
  }

  private static String raw(int port, byte[] request) throws IOException {
    return raw(port, request, false);
  }

  /** Sends bytes on a socket and reads what comes back (half-closing first when asked). */
  private static String raw(int port, byte[] request, boolean shutdownOutput) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
        if (shutdownOutput) {
          s.shutdownOutput();
        }
      } catch (IOException e) {
        return ""; // the server may hang up on garbage before reading it all
      }
      InputStream in = s.getInputStream();
      try {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        return "";
      }
    }
  }

  private static String statusLine(String response) {
    int nl = response.indexOf('\r');
    return nl < 0 ? response : response.substring(0, nl);
  }
}
