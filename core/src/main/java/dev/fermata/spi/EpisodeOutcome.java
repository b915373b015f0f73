package dev.fermata.spi;

import dev.fermata.FailureDetails;
import dev.fermata.history.HistoryEvent;
import java.util.List;
import java.util.Objects;

/**
 * What an orchestration's code did in one episode, as a value: the actions it took and how the
 * execution stands afterwards. The engine's own runner and a remote worker both produce one, and
 * the same recorder turns it into history and outgoing work, so both paths share the checkpoint and
 * its fencing.
 *
 * @param actions new actions, in the order the code took them
 * @param ending how the execution ended in this episode, or null if it goes on
 * @param customStatus the custom status the code set (JSON, null when cleared); meaningful only if
 *     {@code customStatusSet}
 * @param customStatusSet whether the code of this execution has set or cleared its custom status
 *     (if not, the instance keeps the one it had, from before a continue-as-new)
 * @param started whether the code has started (an instance stays Pending until it has)
 * @param suspended whether the instance is suspended after this episode
 * @param locksToRelease entities whose locks an ending execution still holds
 * @param patchMarkers patches whose new branch the code took for the first time in this execution
 *     ({@link HistoryEvent.PatchApplied}), in the order it asked
 */
public record EpisodeOutcome(
    List<OrchestratorAction> actions,
    Ending ending,
    String customStatus,
    boolean customStatusSet,
    boolean started,
    boolean suspended,
    List<String> locksToRelease,
    List<String> patchMarkers) {
  public EpisodeOutcome {
    actions = List.copyOf(actions);
    locksToRelease = List.copyOf(locksToRelease);
    patchMarkers = List.copyOf(patchMarkers);
  }

  /** An outcome without patch markers (a remote worker's: the SDKs have no patches). */
  public EpisodeOutcome(
      List<OrchestratorAction> actions,
      Ending ending,
      String customStatus,
      boolean customStatusSet,
      boolean started,
      boolean suspended,
      List<String> locksToRelease) {
    this(
        actions,
        ending,
        customStatus,
        customStatusSet,
        started,
        suspended,
        locksToRelease,
        List.of());
  }

  /** How an execution ended. */
  public sealed interface Ending {}

  /** The code returned {@code output} (JSON). */
  public record Completed(String output) implements Ending {}

  /**
   * The code failed; calls it made in the same episode are not carried out, since it never got past
   * its failure.
   */
  public record Failed(FailureDetails failure) implements Ending {
    public Failed {
      Objects.requireNonNull(failure, "failure");
    }
  }

  /**
   * The code continues as new with {@code input} (JSON); {@code carriedOver} are events it had not
   * consumed, delivered again to the new execution.
   */
  public record ContinuedAsNew(String input, List<HistoryEvent.EventRaised> carriedOver)
      implements Ending {
    public ContinuedAsNew {
      carriedOver = List.copyOf(carriedOver);
    }
  }
}
