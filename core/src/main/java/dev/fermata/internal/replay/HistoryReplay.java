package dev.fermata.internal.replay;

import dev.fermata.NonDeterminismException;
import dev.fermata.history.HistoryEvent;
import dev.fermata.internal.FunctionRegistry;
import dev.fermata.internal.JsonConverter;
import java.time.Duration;
import java.util.List;

/** Replays a history against the code without an episode: nothing is run for real or recorded. */
public final class HistoryReplay {
  private HistoryReplay() {}

  /**
   * Where the code parts from {@code history}, as the message the instance would fail with, or null
   * if the code takes every step the history records. Steps the code takes beyond the end of the
   * history are what a next episode would do, not a difference.
   */
  public static String difference(
      String instanceId,
      List<HistoryEvent> history,
      FunctionRegistry functions,
      JsonConverter json,
      Duration blockingLimit) {
    try {
      OrchestrationRunner.replayed(instanceId, history, functions, json, blockingLimit).discard();
      return null;
    } catch (NonDeterminismException e) {
      return e.getMessage();
    }
  }
}
