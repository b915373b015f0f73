package dev.fermata.postgres;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * How often this worker claimed an instance or a task whose lease another worker held and let run
 * out (it stopped, stalled, or lost the database): the sign of workers dying or overloaded.
 */
record LeaseTakeovers(LongAdder instances, LongAdder tasks) {
  LeaseTakeovers() {
    this(new LongAdder(), new LongAdder());
  }

  void register(MeterRegistry registry) {
    FunctionCounter.builder("fermata.store.lease.takeovers", instances, LongAdder::sum)
        .description("Work claimed after another worker's lease on it ran out")
        .tag("work", "instance")
        .register(registry);
    FunctionCounter.builder("fermata.store.lease.takeovers", tasks, LongAdder::sum)
        .description("Work claimed after another worker's lease on it ran out")
        .tag("work", "task")
        .register(registry);
  }
}
