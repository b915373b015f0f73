package dev.fermata.bench;

import dev.fermata.Fermata;
import dev.fermata.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/** The orchestrators and activities the workloads run. */
final class BenchFunctions {
  static final String SEQ3 = "Seq3";
  static final String FAN_OUT = "FanOut";
  static final String WAIT_EVENT = "WaitEvent";
  static final String LONG_SEQ = "LongSeq";
  static final String WAIT_HOUR = "WaitHour";
  static final String RECOVERY_STEPS = "RecoverySteps";
  static final int RECOVERY_STEP_COUNT = 5;
  static final String EVENT = "go";
  static final String COUNTER = "Counter";

  /** W5: entity operations applied so far (same JVM). */
  static final LongAdder entityOperations = new LongAdder();

  /**
   * System.nanoTime of each W6 step's activity run, by step number. Same JVM only; the W6 workload
   * resets it before each run. Activities may run again after a crash; the last run wins.
   */
  static volatile long[] stepNanos = new long[0];

  /** Told the instance id of each W7 step's activity run. */
  static volatile Consumer<String> recoveryStepListener = id -> {};

  /** How long each W7 step takes in the child that gets killed (so that work is in flight). */
  static volatile long recoveryStepMillis = 0;

  private BenchFunctions() {}

  /** Input of the long-history orchestrator. */
  record LongSeqInput(int steps) {}

  static Fermata.Builder register(Fermata.Builder b) {
    return b
        // W1: three no-op activities in sequence.
        .orchestrator(
            SEQ3,
            String.class,
            (ctx, s) -> {
              String v = s;
              for (int i = 0; i < 3; i++) {
                v = ctx.callActivity("Noop", v, String.class).await();
              }
              return v;
            })
        .activity("Noop", String.class, (ctx, s) -> s + "!")
        // W2: fan out n no-op activities, fan in and sum.
        .orchestrator(
            FAN_OUT,
            Integer.class,
            (ctx, n) -> {
              List<Task<Integer>> tasks = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                tasks.add(ctx.callActivity("Num", i, Integer.class));
              }
              long sum = 0;
              for (Integer v : Task.allOf(tasks).await()) {
                sum += v;
              }
              return sum;
            })
        .activity("Num", Integer.class, (ctx, i) -> i)
        // W3: wait for one external event.
        .orchestrator(
            WAIT_EVENT,
            String.class,
            (ctx, s) -> ctx.waitForExternalEvent(EVENT, String.class).await() + s)
        // W4T: wait on a one-hour durable timer.
        .orchestrator(
            WAIT_HOUR,
            String.class,
            (ctx, s) -> {
              ctx.createTimer(Duration.ofHours(1)).await();
              return s;
            })
        // W7: a few sequential steps, each reporting which instance ran it.
        .orchestrator(
            RECOVERY_STEPS,
            Integer.class,
            (ctx, n) -> {
              for (int i = 0; i < n; i++) {
                ctx.callActivity("RecoveryStep", ctx.getInstanceId(), String.class).await();
              }
              return n;
            })
        .activity(
            "RecoveryStep",
            String.class,
            (ctx, id) -> {
              recoveryStepListener.accept(id);
              long ms = recoveryStepMillis;
              if (ms > 0) {
                Thread.sleep(ms);
              }
              return id;
            })
        // W5: a counter entity.
        .entity(
            COUNTER,
            ctx -> {
              if (!ctx.operationName().equals("add")) {
                throw new IllegalArgumentException("unknown operation " + ctx.operationName());
              }
              ctx.setState(ctx.getState(Long.class, () -> 0L) + ctx.getInput(Long.class));
              entityOperations.increment();
              return null;
            })
        // W6: a long sequence of steps, then wait for an event.
        .orchestrator(
            LONG_SEQ,
            LongSeqInput.class,
            (ctx, in) -> {
              int last = -1;
              for (int i = 0; i < in.steps(); i++) {
                last = ctx.callActivity("Step", i, Integer.class).await();
              }
              ctx.waitForExternalEvent(EVENT, String.class).await();
              return last;
            })
        .activity(
            "Step",
            Integer.class,
            (ctx, i) -> {
              long[] a = stepNanos;
              if (i >= 0 && i < a.length) {
                a[i] = System.nanoTime();
              }
              return i;
            });
  }
}
