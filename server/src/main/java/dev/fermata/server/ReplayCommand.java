package dev.fermata.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.ReplayVerdict;
import dev.fermata.history.HistoryEvent;
import dev.fermata.history.RecordedHistory;
import dev.fermata.host.FermataHost;
import dev.fermata.spi.HistoryCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code fermata replay}: replays every unfinished instance of the configured store against the
 * orchestrator code on the class path, without running anything, and says which no longer fit. A
 * deployment gate: exit status 1 if any instance's history and the code part.
 *
 * <p>The histories can also travel: {@code --export DIR} writes each unfinished instance's history
 * to a file, in the form stores keep events in ({@link HistoryCodec}), and {@code --from DIR}
 * checks such files, or statuses saved from the HTTP API with their history, with no store at all
 * (a build can check a release against histories exported from production).
 */
final class ReplayCommand {
  /** The instances whose code still has steps to take. */
  static final Set<OrchestrationStatus> UNFINISHED =
      EnumSet.of(
          OrchestrationStatus.PENDING,
          OrchestrationStatus.RUNNING,
          OrchestrationStatus.SUSPENDED,
          OrchestrationStatus.CONTINUED_AS_NEW);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private int matches;
  private int differs;
  private int notHere;

  ReplayCommand(PrintStream out) {
    this.out = out;
  }

  /** Writes the history of every unfinished instance of the open store to {@code dir}. */
  int export(FermataHost host, Path dir) throws IOException {
    Files.createDirectories(dir);
    FermataClient client = host.fermata().client();
    int written = 0;
    String token = null;
    do {
      FermataClient.QueryResult page = client.query(unfinished(token));
      for (InstanceState instance : page.instances()) {
        ObjectNode file = JSON.createObjectNode().put("instanceId", instance.getInstanceId());
        ArrayNode history = file.putArray("history");
        for (HistoryEvent e : host.fermata().store().getHistory(instance.getInstanceId())) {
          history.add(JSON.readTree(HistoryCodec.encode(e)));
        }
        String name = URLEncoder.encode(instance.getInstanceId(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(name + ".json"), file.toString());
        written++;
      }
      token = page.continuationToken();
    } while (token != null);
    out.printf("%d unfinished instance(s) exported to %s%n", written, dir);
    return 0;
  }

  /**
   * Checks the histories in {@code dir}: files {@link #export} wrote, or instance statuses the HTTP
   * API gave with {@code showHistory=true&showHistoryOutput=true} ({@link RecordedHistory}). The
   * store is not opened.
   */
  int runFrom(Fermata engine, Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> listed = Files.list(dir)) {
      files = listed.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    for (Path f : files) {
      try {
        RecordedHistory history = RecordedHistory.read(f);
        report(engine.checkReplay(history.instanceId(), history.events()));
      } catch (IllegalArgumentException e) { // not a history: the message names what is amiss
        out.printf("ERROR    %s: %s%n", f.getFileName(), e.getMessage());
        differs++;
      } catch (RuntimeException | IOException e) { // unreadable, or code that blocks
        out.printf("ERROR    %s: %s%n", f.getFileName(), e);
        differs++;
      }
    }
    return summary("history file(s)");
  }

  /**
   * Checks every unfinished instance of {@code host}'s store, whose store must be open.
   *
   * @return the exit status: 0 if every checked instance fits the code, 1 if one does not
   */
  int run(FermataHost host) {
    FermataClient client = host.fermata().client();
    String token = null;
    do {
      FermataClient.QueryResult page = client.query(unfinished(token));
      for (InstanceState instance : page.instances()) {
        try {
          report(host.fermata().checkReplay(instance.getInstanceId()));
        } catch (RuntimeException e) { // finished and purged meanwhile, or code that blocks
          out.printf("ERROR    %s (%s): %s%n", instance.getInstanceId(), instance.getName(), e);
          differs++;
        }
      }
      token = page.continuationToken();
    } while (token != null);
    return summary("unfinished instance(s)");
  }

  private static InstanceQuery unfinished(String token) {
    return InstanceQuery.all()
        .withStatuses(UNFINISHED)
        .withPageSize(InstanceQuery.MAX_PAGE_SIZE)
        .withContinuationToken(token);
  }

  private void report(ReplayVerdict verdict) {
    switch (verdict.outcome()) {
      case MATCHES -> {
        matches++;
        out.printf(
            "ok       %s (%s, %d events)%n",
            verdict.instanceId(), verdict.orchestrator(), verdict.historyEvents());
      }
      case DIFFERS -> {
        differs++;
        out.printf(
            "DIFFERS  %s (%s): %s%n",
            verdict.instanceId(), verdict.orchestrator(), verdict.message());
      }
      case NOT_HERE -> {
        notHere++;
        out.printf("skipped  %s: %s%n", verdict.instanceId(), verdict.message());
      }
    }
  }

  /** Prints the totals; the exit status is 1 if any instance does not fit the code. */
  private int summary(String what) {
    out.printf(
        "%d %s: %d fit the code, %d do not, %d not checked%n",
        matches + differs + notHere, what, matches, differs, notHere);
    return differs == 0 ? 0 : 1;
  }
}
