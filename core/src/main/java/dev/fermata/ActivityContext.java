package dev.fermata;

/** What an activity function works with. Activities may do anything: I/O, clocks, randomness. */
public interface ActivityContext {

  /** The name the activity is registered under. */
  String getName();

  /** The orchestration instance that called this activity. */
  String getInstanceId();

  /** The sequence number of this call in the orchestration's history. */
  int getTaskId();

  /** The input, converted from JSON to {@code type}; null if there is none. */
  <T> T getInput(Class<T> type);

  /**
   * How many times this same call was handed out before (after a crash or shutdown); 0 the first
   * time. Activities run at least once.
   */
  int getDeliveryCount();

  /**
   * A key that is the same every time this call runs (it survives crashes and re-delivery), and
   * different for every other call: use it to make side effects idempotent.
   */
  String getIdempotencyKey();
}
