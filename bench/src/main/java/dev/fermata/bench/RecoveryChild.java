package dev.fermata.bench;

import dev.fermata.Fermata;
import dev.fermata.FermataClient;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The W7 child: starts {@code n} multi-step orchestrations on the given store, each step taking 50
 * ms, prints {@link #READY} once every instance has been scheduled and half as many steps as
 * instances have run, then keeps working until its parent kills it.
 *
 * <p>Usage: {@code RecoveryChild SYSTEM DB_FILE N}.
 */
public final class RecoveryChild {
  static final String READY = "W7-READY";

  private RecoveryChild() {}

  public static void main(String[] args) throws Exception {
    BenchSystem system = BenchSystem.fromLabel(args[0]);
    Path db = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    AtomicInteger steps = new AtomicInteger();
    BenchFunctions.recoveryStepListener = id -> steps.incrementAndGet();
    BenchFunctions.recoveryStepMillis = 50;
    Fermata f = BenchFunctions.register(Fermata.builder().store(system.openStore(db))).build();
    f.start();
    FermataClient c = f.client();
    for (int i = 0; i < n; i++) {
      c.scheduleNew(BenchFunctions.RECOVERY_STEPS, BenchFunctions.RECOVERY_STEP_COUNT);
    }
    while (steps.get() < n / 2) {
      Thread.sleep(5);
    }
    System.out.println(READY);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // killed by the parent
  }
}
