package dev.fermata.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs every workload, each on each of its systems, in a fresh JVM ({@code -Xmx2g}), and passes
 * their JSON lines through to standard output.
 *
 * <p>Usage: {@code BenchRunner [--scale 1.0] [--workloads W1,W2] [--systems
 * fermata-sqlite,fermata-memory] [--postgres-url URL] [--postgres-user USER] [--jvm-arg ARG]...}
 *
 * <p>{@code fermata-postgres} runs on the database at {@code --postgres-url} (by default the local
 * server's {@code test} database); when none answers it is skipped with a message, unless it was
 * asked for by name.
 */
public final class BenchRunner {
  private BenchRunner() {}

  public static void main(String[] args) throws Exception {
    double scale = 1.0;
    List<String> workloads = Workloads.ALL;
    List<String> systems = null;
    List<String> jvmArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--workloads" -> workloads = Arrays.asList(args[++i].toUpperCase().split(","));
        case "--systems" -> systems = Arrays.asList(args[++i].split(","));
        case "--jvm-arg" -> jvmArgs.add(args[++i]);
        case "--postgres-url" -> System.setProperty(PostgresBench.URL, args[++i]);
        case "--postgres-user" -> System.setProperty(PostgresBench.USER, args[++i]);
        default -> {
          System.err.println(
              "usage: BenchRunner [--scale 1.0] [--workloads "
                  + String.join(",", Workloads.ALL)
                  + "]"
                  + " [--systems fermata-sqlite,fermata-memory,fermata-sqlite-nosync,"
                  + "fermata-postgres] [--postgres-url URL] [--postgres-user USER]"
                  + " [--jvm-arg ARG]...");
          System.exit(2);
        }
      }
    }
    int failures = 0;
    boolean postgresWanted = systems == null || systems.contains(BenchSystem.POSTGRES.label());
    if (postgresWanted && !PostgresBench.isReachable()) {
      if (systems != null) {
        System.err.println("[bench] no PostgreSQL answers at " + PostgresBench.url());
        System.exit(2);
      }
      System.err.println(
          "[bench] skipping fermata-postgres: no PostgreSQL answers at "
              + PostgresBench.url()
              + " (see --postgres-url)");
      postgresWanted = false;
    }
    for (String w : workloads) {
      if (!Workloads.ALL.contains(w)) {
        throw new IllegalArgumentException("unknown workload " + w + "; known: " + Workloads.ALL);
      }
      for (BenchSystem s : Workloads.systemsFor(w)) {
        if (systems != null && !systems.contains(s.label())
            || s == BenchSystem.POSTGRES && !postgresWanted) {
          continue;
        }
        List<String> options = new ArrayList<>();
        options.add("-Xmx2g");
        options.add("--enable-native-access=ALL-UNNAMED");
        options.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        options.addAll(jvmArgs);
        for (String property : List.of(PostgresBench.URL, PostgresBench.USER)) {
          if (System.getProperty(property) != null) {
            options.add("-D" + property + "=" + System.getProperty(property));
          }
        }
        List<String> cmd =
            ChildJvm.command(
                WorkloadMain.class, options, List.of(w, s.label(), Double.toString(scale)));
        System.err.println("[bench] running " + w + " on " + s.label() + " (scale " + scale + ")");
        long t0 = System.nanoTime();
        Process p =
            new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          System.err.println("[bench] " + w + " on " + s.label() + " timed out");
          failures++;
          continue;
        }
        if (p.exitValue() != 0) {
          System.err.println(
              "[bench] " + w + " on " + s.label() + " failed: exit " + p.exitValue());
          failures++;
        }
        System.err.printf(
            "[bench] %s on %s took %.1f s%n", w, s.label(), (System.nanoTime() - t0) / 1e9);
      }
    }
    System.exit(failures == 0 ? 0 : 1);
  }
}
