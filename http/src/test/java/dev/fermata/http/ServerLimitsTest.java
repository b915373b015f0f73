package dev.fermata.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the server does on its own, below the routes, over real sockets: connections that stall are
 * closed, oversized request lines and headers are answered, and every such answer is JSON.
 */
class ServerLimitsTest extends HttpApiTestSupport {
  private static final Duration IDLE = Duration.ofMillis(500);

  @Override
  ManagementApiOptions options() {
    return super.options().withIdleTimeout(IDLE);
  }

  @Test
  void aConnectionThatStallsMidRequest_isClosedAfterTheIdleTimeout() throws IOException {
    try (Socket slow = new Socket("127.0.0.1", api.port())) {
      slow.setSoTimeout((int) WAIT.toMillis());
      slow.getOutputStream()
          .write(
              (("GET " + BASE + "/instances HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "))
                  .getBytes(StandardCharsets.ISO_8859_1));
      slow.getOutputStream().flush();
      long sent = System.nanoTime();

      String answer = readAll(slow.getInputStream()); // until the server closes

      assertThat(Duration.ofNanos(System.nanoTime() - sent))
          .as("closed by the server, not by the test's read timeout")
          .isLessThan(WAIT);
      if (!answer.isEmpty()) {
        assertThat(answer).startsWith("HTTP/1.1 408").contains("\"error\":\"request_timeout\"");
      }
    }
  }

  @Test
  void aRequestBeingAnswered_isNotIdle_evenIfItWaitsLongerThanTheIdleTimeout() {
    HttpResponse<String> r =
        post("/api/orchestrators/WaitForGo/patient?timeout=2&pollingInterval=1", null);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(json(r).path("id").asText()).isEqualTo("patient");
  }

  @Test
  void headersOverTheLimit_are431AsJson() throws IOException {
    String answer =
        exchange(
            "GET "
                + BASE
                + "/instances HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                + "b".repeat(JettyServer.MAX_REQUEST_HEADER_BYTES + 100)
                + "\r\nConnection: close\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 431");
    assertThat(answer)
        .contains("Content-Type: application/json")
        .contains("\"error\":\"headers_too_large\"")
        .doesNotContainIgnoringCase("<html");
  }

  @Test
  void aUrlOverTheLimit_is414AsJson() throws IOException {
    String answer =
        exchange(
            "GET "
                + BASE
                + "/instances/"
                + "u".repeat(JettyServer.MAX_REQUEST_HEADER_BYTES + 100)
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 414");
    assertThat(answer)
        .contains("Content-Type: application/json")
        .contains("\"error\":\"url_too_long\"")
        .doesNotContainIgnoringCase("<html");
  }

  @Test
  void aRequestThatIsNotHttp_isAnsweredAsJson_andTheServerGoesOn() throws IOException {
    String badHeader =
        exchange("GET " + BASE + "/instances HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon\r\n\r\n");
    String noVersion = exchange("HELLO THERE\r\n\r\n");

    assertThat(badHeader).startsWith("HTTP/1.1 400");
    assertThat(badHeader).contains("\"error\":\"invalid_request\"");
    assertThat(noVersion).startsWith("HTTP/1.1 505");
    assertThat(noVersion).contains("\"error\":\"http_version_not_supported\"");
    for (String answer : new String[] {badHeader, noVersion}) {
      assertThat(answer)
          .contains("Content-Type: application/json")
          .doesNotContainIgnoringCase("<html")
          .doesNotContain("Exception");
    }
    assertThat(get(BASE + "/instances").statusCode()).isEqualTo(200);
  }

  @Test
  void aRequestRefusedBeforeItsBodyArrives_keepsItsConnection() throws IOException {
    try (Socket s = new Socket("127.0.0.1", api.port())) {
      s.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(
          ("POST "
                  + BASE
                  + "/instances/anyone/raiseEvent/Go HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      // Refused on its headers alone; the body is sent only once the answer is read.
      String refused = readOneResponse(in);
      out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
      out.write(
          ("GET " + BASE + "/instances HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String next = readAll(in);

      assertThat(refused).startsWith("HTTP/1.1 400").contains("unsupported_content_type");
      assertThat(next)
          .as("the connection outlives the refusal, its late body read and dropped")
          .startsWith("HTTP/1.1 200");
    }
  }

  /** Sends {@code request} on a new connection and reads until the server closes it. */
  private String exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", api.port())) {
      s.setSoTimeout((int) WAIT.toMillis());
      try {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
      } catch (IOException e) {
        // the server may answer and close before reading everything; read what it said
      }
      return readAll(s.getInputStream());
    }
  }

  /** Reads one answer: its head, then as many body bytes as its Content-Length says. */
  private static String readOneResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("the connection closed mid-answer: " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    Matcher length = Pattern.compile("(?im)^Content-Length: *(\\d+)").matcher(text);
    assertThat(length.find()).as("a Content-Length in " + text).isTrue();
    return text
        + new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        got.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server did not close the connection within " + WAIT, e);
    } catch (java.net.SocketException e) {
      // reset after its answer: take what arrived
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }
}
