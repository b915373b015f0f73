package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.testsupport.Logs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Hostile and oversized requests: each is answered (or dropped), and the server carries on. */
class RobustnessTest extends HttpApiTestSupport {

  /** Sends raw bytes and returns what came back (possibly empty), never throwing. */
  private String raw(String request) {
    return raw(request.getBytes(StandardCharsets.ISO_8859_1), false);
  }

  private String raw(byte[] request, boolean halfClose) {
    try (Socket s = new Socket("127.0.0.1", api.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
        if (halfClose) {
          s.shutdownOutput();
        }
      } catch (IOException e) {
        // the server may close early; read what it said
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          got.write(buf, 0, n);
          if (complete(got.toString(StandardCharsets.ISO_8859_1))) {
            break;
          }
        }
      } catch (SocketTimeoutException | java.net.SocketException e) {
        // take what arrived
      }
      return got.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** True once the headers and as many body bytes as Content-Length says have arrived. */
  private static boolean complete(String soFar) {
    int end = soFar.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
            .matcher(soFar.substring(0, end));
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return soFar.length() - end - 4 >= length;
  }

  private static String statusLine(String response) {
    int end = response.indexOf("\r\n");
    return end < 0 ? response : response.substring(0, end);
  }

  @Test
  void bodyOverTheDefaultLimit_byContentLength_is413() {
    String response =
        raw(
            "POST /api/orchestrators/Echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2097152\r\n"
                + "Connection: close\r\n\r\n{\"a\":");
    assertThat(statusLine(response)).contains(" 413");
    assertThat(response).contains("body_too_large");
  }

  @Test
  void bodyOverAConfiguredLimit_withOrWithoutContentLength_is413() throws IOException {
    try (ManagementApi small =
        ManagementApi.start(
            engine, ManagementApiOptions.defaults().withPort(0).withMaxBodyBytes(1024))) {
      String url = "http://127.0.0.1:" + small.port() + "/api/orchestrators/Echo";
      byte[] big = ("\"" + "x".repeat(4000) + "\"").getBytes(StandardCharsets.UTF_8);

      HttpResponse<String> sized =
          send(request(url).POST(HttpRequest.BodyPublishers.ofByteArray(big)));
      assertError(sized, 413, "body_too_large");

      HttpResponse<String> chunked =
          send(
              request(url)
                  .POST(
                      HttpRequest.BodyPublishers.ofInputStream(
                          () -> new ByteArrayInputStream(big))));
      assertError(chunked, 413, "body_too_large");

      HttpResponse<String> fits = send(request(url).POST(HttpRequest.BodyPublishers.ofString("1")));
      assertThat(fits.statusCode()).isEqualTo(202);
    }
  }

  @Test
  void hostileBatch_leavesTheServerAnsweringAndInstancesIntact() {
    String keep = startAndWait("Echo", JSON.createObjectNode().put("keep", true));
    String before = get(BASE + "/instances/" + keep).body();

    // ids with encoded slashes, control characters and bad escapes
    assertError(get(BASE + "/instances/a%2Fb"), 404, "instance_not_found");
    assertError(post("/api/orchestrators/Echo/a%2F..%2Fb", null), 400, "invalid_argument");
    // A NUL in the URL is refused by the server before any route sees it, and the server closes
    // that connection: sent on a socket of its own, so that no pooled connection races the close.
    String nul =
        raw(
            "POST /api/orchestrators/Echo/x%00y HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
    assertThat(statusLine(nul)).contains(" 400");
    assertThat(nul).contains("\"invalid_request\"");
    assertError(post("/api/orchestrators/Echo/" + "i".repeat(300), null), 400, "invalid_argument");
    assertThat(
            statusLine(
                raw(
                    "GET "
                        + BASE
                        + "/instances/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Connection: close\r\n\r\n")))
        .doesNotContain(" 500")
        .doesNotContain(" 20");
    assertError(delete(BASE + "/instances/" + keep + "%2F..%2F"), 404, "instance_not_found");
    assertError(get(BASE + "/instances?top=99999999999"), 400, "invalid_parameter");
    assertThat(
            raw(
                "GET "
                    + BASE
                    + "/instances?x=%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\n\r\n"))
        .contains(" 400 ");
    // wrong content types and broken JSON
    assertError(
        send(
            request(BASE + "/instances/" + keep + "/raiseEvent/Go")
                .header("Content-Type", "application/xml")
                .POST(HttpRequest.BodyPublishers.ofString("<a/>"))),
        400,
        "unsupported_content_type");
    assertError(post("/api/orchestrators/Echo", "[[[[[[[[[["), 400, "invalid_json");
    assertError(post("/api/orchestrators/Echo", "[".repeat(5000)), 400, "invalid_json");
    // unknown routes and verbs
    assertError(get("/"), 404, "route_not_found");
    assertError(get("/runtime/webhooks/durabletask"), 404, "route_not_found");
    assertError(
        send(
            request("/api/orchestrators/Echo")
                .method("PATCH", HttpRequest.BodyPublishers.noBody())),
        404,
        "method_not_supported");
    // raw-socket abuse: control characters, huge headers, truncated and lying bodies, garbage
    raw("GET /runtime/webhooks/durabletask/instances/a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n");
    raw(
        "GET /runtime/webhooks/durabletask/instances HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
            + "a".repeat(200_000)
            + "\r\nConnection: close\r\n\r\n");
    StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (int i = 0; i < 500; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    raw(many.append("Connection: close\r\n\r\n").toString());
    raw(
        ("POST /api/orchestrators/Echo/truncated HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Length: 100\r\nConnection: close\r\n\r\n{\"a\":1")
            .getBytes(StandardCharsets.ISO_8859_1),
        true);
    String badLength =
        raw(
            "POST /api/orchestrators/Echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Length: lots\r\nConnection: close\r\n\r\n");
    assertThat(statusLine(badLength)).doesNotContain(" 500").doesNotContain(" 20");
    raw("\u0000\u0001\u0002 garbage \r\n\r\n");
    raw("GET /api/orchestrators/Echo HTTP/9.9\r\n\r\n");
    String hostileHost =
        raw(
            "POST /api/orchestrators/Echo/hosted HTTP/1.1\r\nHost: evil\"<>.example\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
    // An invalid Host is refused (RFC 9112 asks for 400), and not echoed.
    assertThat(statusLine(hostileHost)).contains(" 400");
    assertThat(hostileHost).doesNotContain("evil").contains("\"error\":\"invalid_request\"");

    // still answering, and the earlier instance is unchanged
    assertThat(get(BASE + "/instances/" + keep).body()).isEqualTo(before);
    assertThat(client.getInstance("truncated")).isEmpty();
    HttpResponse<String> list = get(BASE + "/instances?instanceIdPrefix=" + keep);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(json(list)).hasSize(1);
    HttpResponse<String> fresh = post("/api/orchestrators/Echo", "5");
    assertThat(fresh.statusCode()).isEqualTo(202);
  }

  @Test
  void jsonBodiesNestDeeperThanTheDocumentedLimit_are400() {
    int limit = 200; // docs/host.md
    String deepest = "[".repeat(limit) + "]".repeat(limit);
    String tooDeep = "[".repeat(limit + 1) + "]".repeat(limit + 1);

    assertThat(post("/api/orchestrators/Echo/nested", deepest).statusCode()).isEqualTo(202);
    HttpResponse<String> refused = post("/api/orchestrators/Echo/tooDeep", tooDeep);
    assertError(refused, 400, "invalid_json");
    assertThat(json(refused).path("message").asText()).contains("nesting depth");
    assertThat(client.getInstance("tooDeep", false)).isEmpty();
  }

  @Test
  void extremeDatesInQueries_are400NamingTheParameter() {
    String log =
        Logs.capture(
            () -> {
              for (String q :
                  new String[] {
                    "createdTimeFrom=-999999999-01-01",
                    "createdTimeTo=%2B999999999-12-31T23:59:59Z",
                    "createdTimeFrom=-0001-01-01T00:00:00%2B18:00"
                  }) {
                HttpResponse<String> r = get(BASE + "/instances?" + q);
                assertError(r, 400, "invalid_parameter");
                assertThat(json(r).path("message").asText())
                    .contains(q.substring(0, q.indexOf('=')))
                    .contains("0001-01-01 to 9999-12-31");
              }
              assertError(
                  delete(BASE + "/instances?createdTimeFrom=-999999999-01-01"),
                  400,
                  "invalid_parameter");
            });
    assertThat(log).doesNotContain("ERROR");
  }

  @Test
  void dotSegmentsAndMalformedUtf8InThePath_are400() {
    for (String target :
        new String[] {
          "GET " + BASE + "/instances/..",
          "GET " + BASE + "/instances/.",
          "GET " + BASE + "/instances/%2e%2E",
          "POST /api/orchestrators/Echo/..",
          "POST /api/orchestrators/Echo/%2E",
          "GET " + BASE + "/instances/%ff%fe",
          "POST /api/orchestrators/Echo/%C3%28",
          "GET " + BASE + "/instances?instanceIdPrefix=%C3"
        }) {
      String response =
          raw(
              target
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                  + "Connection: close\r\n\r\n");
      assertThat(statusLine(response)).as(target).contains(" 400");
      assertThat(response).as(target).contains("\"error\":\"invalid_url\"");
    }
    assertThat(client.getInstance("..", false)).isEmpty();
    assertThat(client.getInstance(".", false)).isEmpty();
  }
}
