/**
 * End-to-end benchmarks for Fermata: a plain {@code main}-based harness, not JMH.
 *
 * <p>Why not JMH: every workload here measures the whole system (client, dispatcher, replay engine,
 * activity worker, store with group commit and fsync) over seconds of wall-clock time, and the
 * figures of interest are throughput and latency percentiles of individual orchestrations, not the
 * cost of one small method call. JMH's strengths (dead-code elimination guards, blackholes,
 * per-invocation timing, forked iterations of a microbenchmark) do not apply to such runs; a
 * warm-up phase followed by one measured phase, each workload in a fresh JVM, is what matters, and
 * {@link dev.fermata.bench.BenchRunner} provides exactly that.
 *
 * <p>Each figure is printed as one JSON line on standard output, for example {@code
 * {"system":"fermata-sqlite","workload":"W1","metric":"orchestrations_per_s","value":1234.5,
 * "unit":"1/s",...}}; logs go to standard error.
 */
package dev.fermata.bench;
