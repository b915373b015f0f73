package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the orchestrations, activities and entities an engine has no code for, in other processes
 * (the Durable Task SDKs' workers, connected over gRPC). The engine still claims, records and
 * fences everything: a remote worker only turns an episode into an {@link EpisodeOutcome} and an
 * activity call into its result. While a call is out, the engine holds the instance or task as it
 * would for its own code, and a call that fails is retried like a crashed one.
 */
public interface RemoteWorkers {
  /**
   * Runs one episode. Completes when a worker answers; fails if the worker that took it goes away
   * first. The outcome's {@code suspended} and {@code locksToRelease} are not the worker's to say:
   * the engine derives them from the history and the actions.
   */
  CompletableFuture<EpisodeOutcome> runEpisode(RemoteEpisode episode);

  /**
   * Runs one activity call; completes with its {@link HistoryEvent.TaskCompleted} or {@link
   * HistoryEvent.TaskFailed}, or fails if the worker that took it goes away first.
   *
   * @param deliveryCount how many times the call was handed out before
   */
  CompletableFuture<HistoryEvent> runActivity(ActivityTask task, int deliveryCount);

  /**
   * Runs a batch of an entity's operations; completes when a worker answers, or fails if the worker
   * that took it goes away first (the batch then runs again, on the state it started from).
   */
  CompletableFuture<EntityBatchOutcome> runEntityBatch(RemoteEntityBatch batch);

  /** Whether a remote worker is connected now, ready to take work. */
  boolean connected();

  /**
   * Registers a listener called (on any thread, without locks held) whenever {@link #connected()}
   * may have changed.
   */
  void onConnectionChange(Runnable listener);

  /**
   * Asks that work waiting for a worker be given back once no worker has been connected for {@code
   * after}: its future fails with {@link NoRemoteWorkerException}. An engine whose store shares
   * work with other engines asks for this, so that work it took while a worker was connected is not
   * held by it after the worker left. Without the call, work waits until a worker connects.
   */
  void giveBackWhenNoWorker(Duration after);
}
