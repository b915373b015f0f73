package dev.fermata.server;

import dev.fermata.FermataClient;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.ReplayVerdict;
import dev.fermata.host.FermataHost;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code fermata replay}: replays every unfinished instance of the configured store against the
 * orchestrator code on the class path, without running anything, and says which no longer fit. A
 * deployment gate: exit status 1 if any instance's history and the code part.
 */
final class ReplayCommand {
  /** The instances whose code still has steps to take. */
  static final Set<OrchestrationStatus> UNFINISHED =
      EnumSet.of(
          OrchestrationStatus.PENDING,
          OrchestrationStatus.RUNNING,
          OrchestrationStatus.SUSPENDED,
          OrchestrationStatus.CONTINUED_AS_NEW);

  private final PrintStream out;

  ReplayCommand(PrintStream out) {
    this.out = out;
  }

  /**
   * Checks every unfinished instance of {@code host}'s store, whose store must be open.
   *
   * @return the exit status: 0 if every checked instance fits the code, 1 if one does not
   */
  int run(FermataHost host) {
    FermataClient client = host.fermata().client();
    int matches = 0;
    int differs = 0;
    int notHere = 0;
    String token = null;
    do {
      FermataClient.QueryResult page =
          client.query(
              InstanceQuery.all()
                  .withStatuses(UNFINISHED)
                  .withPageSize(InstanceQuery.MAX_PAGE_SIZE)
                  .withContinuationToken(token));
      for (InstanceState instance : page.instances()) {
        ReplayVerdict verdict;
        try {
          verdict = host.fermata().checkReplay(instance.getInstanceId());
        } catch (RuntimeException e) { // finished and purged meanwhile, or code that blocks
          out.printf("ERROR    %s (%s): %s%n", instance.getInstanceId(), instance.getName(), e);
          differs++;
          continue;
        }
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
      token = page.continuationToken();
    } while (token != null);
    out.printf(
        "%d unfinished instance(s): %d fit the code, %d do not, %d not checked%n",
        matches + differs + notHere, matches, differs, notHere);
    return differs == 0 ? 0 : 1;
  }
}
