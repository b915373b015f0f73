package dev.fermata.sqlite.crash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A workload JVM. Its stdout lines are collected by a reader thread; its stderr (the engine's log)
 * goes to a file, shown when it fails. Closing its stdin stops it gracefully.
 */
final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\0eof";

  private final Process process;
  private final Path log;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  private ChildJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
    Thread.ofPlatform().daemon().name("crash-child-stdout").start(this::readStdout);
  }

  /** Starts {@code main} with {@code args} on this JVM's class path; stderr goes to {@code log}. */
  static ChildJvm start(Class<?> main, Path log, String... args) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                // Short-lived JVMs sharing 2 cores: one GC thread, no C2 compilations.
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", // sqlite-jdbc loads a native library
                "-cp",
                System.getProperty("java.class.path"),
                main.getName())
            .redirectError(log.toFile());
    builder.command().addAll(List.of(args));
    return new ChildJvm(builder.start(), log);
  }

  private void readStdout() {
    try (var reader = process.inputReader()) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        seen.add(line);
        lines.add(line);
      }
    } catch (IOException e) {
      // the process died; end of output below
    }
    lines.add(EOF);
  }

  long pid() {
    return process.pid();
  }

  /** The first stdout line that starts with {@code prefix}, waiting for it as {@link #await}. */
  String awaitLineStartingWith(String prefix, Duration timeout)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (String line : seen) {
        if (line.startsWith(prefix)) {
          return line;
        }
      }
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("no line starting with " + prefix + " within " + timeout);
      }
      if (line.equals(EOF) && seen.stream().noneMatch(l -> l.startsWith(prefix))) {
        process.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "the workload JVM ended before printing a line starting with "
                + prefix
                + "; its log ends with:\n"
                + logTail());
      }
    }
  }

  /** Waits for the process to end by itself; returns its exit code. */
  int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the workload JVM did not end within " + timeout);
    }
    return process.exitValue();
  }

  boolean saw(String line) {
    return seen.contains(line);
  }

  /**
   * Waits for a line on stdout.
   *
   * @return false on timeout
   * @throws AssertionError if the process ends first
   */
  boolean await(String expected, Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!saw(expected)) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        return false;
      }
      if (line.equals(EOF)) {
        process.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "the workload JVM ended before printing "
                + expected
                + (process.isAlive() ? "" : " (exit code " + process.exitValue() + ")")
                + "; its log ends with:\n"
                + logTail());
      }
    }
    return true;
  }

  /** SIGKILL (destroyForcibly on Linux); returns the exit code. */
  int kill() throws InterruptedException, IOException {
    if (!process.isAlive()) {
      throw new AssertionError(
          "the workload JVM died by itself (exit code "
              + process.exitValue()
              + "); its log ends with:\n"
              + logTail());
    }
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the workload JVM survived SIGKILL for 30 s");
    }
    return process.exitValue();
  }

  /** Closes stdin, which makes the workload shut down gracefully; returns the exit code. */
  int stop(Duration timeout) throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the workload JVM did not stop within " + timeout);
    }
    return process.exitValue();
  }

  private String logTail() throws IOException {
    List<String> all = Files.readAllLines(log);
    return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
  }

  /** Never leaves a JVM behind, whatever happened. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
