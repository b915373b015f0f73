package dev.fermata.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code fermata instances ...}: operates on the instances of a running host through its HTTP
 * management API, for people who live in a terminal.
 */
final class Cli {
  static final String USAGE =
      """
      usage: fermata instances list [--status Running,Failed] [--prefix ID_PREFIX]
             fermata instances show ID [--history]
             fermata instances raise ID EVENT [JSON]
             fermata instances terminate ID [REASON]
             fermata instances purge ID
             fermata instances deadletters [--instance ID]
             fermata instances redrive DEAD_LETTER_ID
             fermata instances --help
      options: --url URL (default http://127.0.0.1:7071, or FERMATA_URL)
               --key KEY (the management key, or FERMATA_KEY)
               (--option=VALUE works as well as --option VALUE)""";

  private static final String BASE = "/runtime/webhooks/durabletask/instances";
  private static final String DEAD_LETTERS = "/runtime/webhooks/durabletask/deadletters";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final PrintStream err;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String url;
  private String key;

  /** A usage or request failure, reported as one line; the exit code says which. */
  private static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    Failure(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }

  Cli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs {@code args} (after the word {@code instances}); returns the exit code. */
  int run(List<String> given, Map<String, String> env) {
    url = env.getOrDefault("FERMATA_URL", "http://127.0.0.1:7071");
    key = env.get("FERMATA_KEY");
    List<String> args = splitEquals(given);
    try {
      if (args.contains("--help") || args.contains("-h")) {
        out.println(USAGE);
        return 0;
      }
      List<String> words = options(args);
      if (words.isEmpty()) {
        throw new Failure(2, "say what to do with instances");
      }
      String verb = words.get(0);
      if (verb.equals("help")) {
        out.println(USAGE);
        return 0;
      }
      List<String> rest = words.subList(1, words.size());
      switch (verb) {
        case "list" -> list(args);
        case "show" -> show(one(rest, "show ID"), args.contains("--history"));
        case "raise" -> raise(rest);
        case "terminate" -> terminate(rest);
        case "purge" -> purge(one(rest, "purge ID"));
        case "deadletters" -> deadLetters(args);
        case "redrive" -> redrive(one(rest, "redrive DEAD_LETTER_ID"));
        default -> throw new Failure(2, "unknown command '" + verb + "'");
      }
      return 0;
    } catch (Failure f) {
      err.println("fermata: " + f.getMessage());
      if (f.exitCode == 2) {
        err.println(USAGE);
      }
      return f.exitCode;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /** The host's URL as it may be printed: a password in it is masked. */
  private String shownUrl() {
    return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^/:@]*):[^/@]*@", "$1:***@");
  }

  /** {@code --option=value} as the two words {@code --option value}; other words as they are. */
  static List<String> splitEquals(List<String> args) {
    List<String> words = new ArrayList<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 2) {
        words.add(a.substring(0, eq));
        words.add(a.substring(eq + 1));
      } else {
        words.add(a);
      }
    }
    return words;
  }

  /** Takes out --url, --key and the list filters; returns the remaining words. */
  private List<String> options(List<String> args) throws Failure {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--url" -> url = value(args, ++i, a);
        case "--key" -> key = value(args, ++i, a);
        case "--status", "--prefix", "--instance" -> value(args, ++i, a);
        case "--history" -> {}
        default -> {
          if (a.startsWith("--")) {
            throw new Failure(2, "unknown option " + a);
          }
          words.add(a);
        }
      }
    }
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    return words;
  }

  private static String value(List<String> args, int i, String option) throws Failure {
    if (i >= args.size()) {
      throw new Failure(2, option + " needs a value");
    }
    return args.get(i);
  }

  private static String one(List<String> rest, String shape) throws Failure {
    if (rest.size() != 1) {
      throw new Failure(2, "expected: instances " + shape);
    }
    return rest.get(0);
  }

  private void list(List<String> args) throws Failure, InterruptedException {
    StringBuilder query = new StringBuilder("?top=100&showInput=false");
    int s = args.indexOf("--status");
    if (s >= 0) {
      query.append("&runtimeStatus=").append(encode(args.get(s + 1)));
    }
    int p = args.indexOf("--prefix");
    if (p >= 0) {
      query.append("&instanceIdPrefix=").append(encode(args.get(p + 1)));
    }
    table(
        BASE + query,
        "%-40s %-24s %-15s %-21s %s%n",
        List.of("INSTANCE", "NAME", "STATUS", "CREATED", "UPDATED"),
        i ->
            List.of(
                i.path("instanceId").asText(),
                i.path("name").asText(),
                i.path("runtimeStatus").asText(),
                i.path("createdTime").asText(),
                i.path("lastUpdatedTime").asText()),
        "instance(s)");
  }

  /**
   * Prints every page of the list at {@code pathAndQuery} as a table, its header above the first
   * row (nothing before a failed request), then the count.
   */
  private void table(
      String pathAndQuery,
      String format,
      List<String> header,
      Function<JsonNode, List<String>> row,
      String noun)
      throws Failure, InterruptedException {
    String token = null;
    int count = 0;
    do {
      HttpRequest.Builder page = request(pathAndQuery).GET();
      if (token != null) {
        page.header("x-ms-continuation-token", token);
      }
      HttpResponse<String> r = send(page, 200);
      for (JsonNode item : parse(r.body())) {
        if (count++ == 0) {
          out.printf(format, header.toArray());
        }
        out.printf(format, row.apply(item).toArray());
      }
      token =
          r.headers().firstValue("x-ms-continuation-token").filter(t -> !t.isEmpty()).orElse(null);
    } while (token != null);
    out.println(count + " " + noun);
  }

  private void show(String id, boolean history) throws Failure, InterruptedException {
    String q = history ? "?showHistory=true&showHistoryOutput=true" : "";
    HttpResponse<String> r = send(request(BASE + "/" + encode(id) + q).GET(), 200, 202);
    try {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(parse(r.body())));
    } catch (IOException e) {
      out.println(r.body());
    }
  }

  private void raise(List<String> rest) throws Failure, InterruptedException {
    if (rest.size() < 2 || rest.size() > 3) {
      throw new Failure(2, "expected: instances raise ID EVENT [JSON]");
    }
    String body = rest.size() == 3 ? rest.get(2) : "null";
    try {
      JSON.readTree(body);
    } catch (IOException e) {
      throw new Failure(2, "the event data must be JSON (quote text: '\"yes\"'), got " + body);
    }
    send(
        request(BASE + "/" + encode(rest.get(0)) + "/raiseEvent/" + encode(rest.get(1)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        202);
    out.println("Raised event " + rest.get(1) + " on " + rest.get(0));
  }

  private void terminate(List<String> rest) throws Failure, InterruptedException {
    if (rest.isEmpty() || rest.size() > 2) {
      throw new Failure(2, "expected: instances terminate ID [REASON]");
    }
    String reason = rest.size() == 2 ? "?reason=" + encode(rest.get(1)) : "";
    send(
        request(BASE + "/" + encode(rest.get(0)) + "/terminate" + reason)
            .POST(HttpRequest.BodyPublishers.noBody()),
        202);
    out.println("Terminating " + rest.get(0));
  }

  private void purge(String id) throws Failure, InterruptedException {
    send(request(BASE + "/" + encode(id)).DELETE(), 200);
    out.println("Purged " + id);
  }

  private void deadLetters(List<String> args) throws Failure, InterruptedException {
    String query = "?top=100";
    int i = args.indexOf("--instance");
    if (i >= 0) {
      query += "&instanceId=" + encode(args.get(i + 1));
    }
    table(
        DEAD_LETTERS + query,
        "%-8s %-40s %-9s %-30s %-9s %-24s %s%n",
        List.of("ID", "INSTANCE", "KIND", "WHAT", "DELIVERED", "DEAD-LETTERED", "REASON"),
        d ->
            List.of(
                d.path("id").asText(),
                d.path("instanceId").asText(),
                d.path("kind").asText(),
                d.path("name").asText(),
                d.path("deliveryCount").asText(),
                d.path("deadLetteredTime").asText(),
                d.path("reason").isNull() ? "-" : d.path("reason").asText()),
        "dead letter(s)");
  }

  private void redrive(String id) throws Failure, InterruptedException {
    send(
        request(DEAD_LETTERS + "/" + encode(id) + "/redrive")
            .POST(HttpRequest.BodyPublishers.noBody()),
        202);
    out.println("Re-drove dead letter " + id);
  }

  private HttpRequest.Builder request(String pathAndQuery) throws Failure {
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(URI.create(url + pathAndQuery)).timeout(Duration.ofSeconds(30));
    } catch (IllegalArgumentException e) {
      throw new Failure(2, "--url must be like http://127.0.0.1:7071, got " + shownUrl());
    }
    if (key != null && !key.isEmpty()) {
      b.header("x-functions-key", key);
    }
    return b;
  }

  private HttpResponse<String> send(HttpRequest.Builder request, int... expected)
      throws Failure, InterruptedException {
    HttpResponse<String> r;
    try {
      r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new Failure(
          1, "no Fermata host answers at " + shownUrl() + " (start one with ./fermata serve)");
    } catch (IOException e) {
      throw new Failure(1, "the request to " + shownUrl() + " failed: " + e);
    }
    for (int status : expected) {
      if (r.statusCode() == status) {
        return r;
      }
    }
    if (r.statusCode() == 401) {
      throw new Failure(
          1,
          key == null || key.isEmpty()
              ? "the host answered 401: it needs its management key; pass --key KEY or set"
                  + " FERMATA_KEY"
              : "the host answered 401: it refused the management key given by --key or"
                  + " FERMATA_KEY");
    }
    String message = r.body();
    try {
      JsonNode error = JSON.readTree(r.body());
      if (error != null && error.has("message")) {
        message = error.get("message").asText();
      }
    } catch (IOException e) {
      // not JSON: show it as it came
    }
    throw new Failure(1, "the host answered " + r.statusCode() + ": " + message);
  }

  private static JsonNode parse(String body) throws Failure {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new Failure(1, "the host answered something that is not JSON: " + body);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
