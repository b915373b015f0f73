package dev.fermata.internal.worker;

import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.replay.OrchestrationRunner;
import java.util.List;

/** What the instance cache keeps of an instance between its episodes. */
sealed interface CachedInstance {
  /** Frees what it holds (a runner's thread); it must not be used afterwards. */
  void discard();

  /** An instance whose code runs in this engine: its live runner. */
  record Local(OrchestrationRunner runner) implements CachedInstance {
    @Override
    public void discard() {
      runner.discard();
    }
  }

  /**
   * An instance a remote worker runs: the history the worker is sent with every episode, so that
   * the next episode need not read it from the store.
   */
  record Remote(String executionId, List<HistoryEvent> history) implements CachedInstance {
    public Remote {
      history = List.copyOf(history);
    }

    @Override
    public void discard() {}
  }
}
