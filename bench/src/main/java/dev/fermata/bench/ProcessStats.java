package dev.fermata.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What this process uses: resident memory, live heap, CPU time. */
final class ProcessStats {
  private ProcessStats() {}

  /** Resident set size in MiB from /proc (Linux), or -1 where that is not available. */
  static double rssMib() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String line : lines) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring("VmRSS:".length()).replace("kB", "").trim();
          return Long.parseLong(kb) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no figure
    }
    return -1;
  }

  /** Heap in use after full collections, in MiB: what the live objects need. */
  static double liveHeapMibAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024);
  }

  /** CPU time this process has used, in nanoseconds (all threads). */
  static long cpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    throw new IllegalStateException("this JVM does not report process CPU time");
  }

  /**
   * CPU time used so far by the live threads whose name starts with {@code prefix}, in nanoseconds
   * (for example the SQLite store's single writer, whose time bounds throughput).
   */
  static long threadCpuNanos(String prefix) {
    var threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix)) {
        sum += Math.max(0, threads.getThreadCpuTime(t.threadId()));
      }
    }
    return sum;
  }

  /** Bytes used by the files in {@code dir} (the database and its WAL). */
  static long diskBytes(Path dir) {
    try (var s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException e) {
      return -1;
    }
  }
}
