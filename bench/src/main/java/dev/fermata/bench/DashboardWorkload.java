package dev.fermata.bench;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.http.ManagementApi;
import dev.fermata.http.ManagementApiOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * D1: what the dashboard's list costs over many instances. A few completed orchestrations are
 * created first, then many pending ones (scheduled a year ahead, so nothing runs); the host's HTTP
 * API then answers what the dashboard asks for, each request timed from the client: the first page
 * (50, newest first), the counts per status, both at once (the page's first view), the next page,
 * and the first page of the rare status, whose rows lie behind all the others in that order.
 */
final class DashboardWorkload {
  private static final Duration WAIT = Duration.ofMinutes(30);
  private static final String INSTANCES = "/runtime/webhooks/durabletask/instances";
  private static final int WARMUP = 5;
  private static final int MEASURED = 30;

  private final Workloads ctx;

  DashboardWorkload(Workloads ctx) {
    this.ctx = ctx;
  }

  void run(Path dir) {
    int pending = ctx.params().d1Instances();
    int completed = Math.max(10, pending / 50);
    try (Fermata f = ctx.newEngine(dir);
        ManagementApi api = ManagementApi.start(f, ManagementApiOptions.defaults().withPort(0));
        HttpClient http = HttpClient.newHttpClient()) {
      FermataClient c = f.client();
      Workloads.log("D1 " + ctx.label() + ": " + completed + " completed, " + pending + " pending");
      completeAll(c, completed);
      long t0 = System.nanoTime();
      Instant later = Instant.now().plus(Duration.ofDays(365));
      startAll(
          pending, () -> c.scheduleNew(BenchFunctions.SEQ3, "s", new StartOptions(null, later)));
      Object[] p = {"instances", pending + completed, "page", 50};
      ctx.emit("D1", "populate_seconds", Stats.seconds(System.nanoTime() - t0), "s", p);

      String origin = "http://127.0.0.1:" + api.port();
      String firstPage = origin + INSTANCES + "?top=50&newestFirst=true&showInput=false";
      String counts = origin + "/dashboard/api/counts";
      String nextToken = get(http, firstPage).headers().firstValue(TOKEN).orElseThrow();
      timed(p, "first_page", () -> get(http, firstPage));
      timed(p, "counts", () -> get(http, counts));
      timed(
          p,
          "first_view",
          () -> {
            CompletableFuture<Void> list = CompletableFuture.runAsync(() -> get(http, firstPage));
            get(http, counts);
            list.join();
          });
      timed(
          p,
          "next_page",
          () ->
              send(
                  http,
                  HttpRequest.newBuilder(URI.create(firstPage)).header(TOKEN, nextToken).build()));
      timed(p, "rare_status_page", () -> get(http, firstPage + "&runtimeStatus=Completed"));
      timed(p, "rare_status_counts", () -> get(http, counts + "?runtimeStatus=Completed"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String TOKEN = "x-ms-continuation-token";

  /** Runs {@code request} a few times to warm up, then {@value #MEASURED} times, timed. */
  private void timed(Object[] p, String metric, Runnable request) {
    for (int i = 0; i < WARMUP; i++) {
      request.run();
    }
    long[] nanos = new long[MEASURED];
    for (int i = 0; i < MEASURED; i++) {
      long t0 = System.nanoTime();
      request.run();
      nanos[i] = System.nanoTime() - t0;
    }
    ctx.emit("D1", metric + "_p50", Stats.percentileMillis(nanos, 50), "ms", p);
    ctx.emit("D1", metric + "_p99", Stats.percentileMillis(nanos, 99), "ms", p);
  }

  private static HttpResponse<String> get(HttpClient http, String url) {
    return send(http, HttpRequest.newBuilder(URI.create(url)).build());
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            request.uri() + " answered " + r.statusCode() + ": " + r.body());
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void completeAll(FermataClient c, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(c.scheduleNew(BenchFunctions.SEQ3, "s"));
    }
    for (String id : ids) {
      Workloads.requireCompleted(c.waitForCompletion(id, WAIT));
    }
  }

  /** Calls {@code start} {@code n} times from the bench's client threads. */
  private void startAll(int n, Supplier<String> start) {
    int threads = ctx.params().w1ClientThreads();
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService starters = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(
            starters.submit(
                () -> {
                  int i;
                  while ((i = next.getAndIncrement()) < n) {
                    start.get();
                    if ((i + 1) % 50_000 == 0) {
                      Workloads.log("  started " + (i + 1));
                    }
                  }
                  return null;
                }));
      }
      Workloads.getAll(fs);
    }
  }
}
