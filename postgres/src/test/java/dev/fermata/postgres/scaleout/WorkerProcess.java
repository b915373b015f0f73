package dev.fermata.postgres.scaleout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link ScaleOutWorkload} worker in a child JVM, with its stdout lines and its stderr log. */
final class WorkerProcess implements AutoCloseable {
  private static final String EOF = "\0eof";

  final String name;
  private final Process process;
  private final Path log;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  private WorkerProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    Thread.ofPlatform().daemon().name(name + "-stdout").start(this::readStdout);
  }

  static WorkerProcess start(
      String name, String jdbcUrl, String hub, Duration lease, String mode, Path dir)
      throws IOException {
    return start(
        name,
        dir,
        ScaleOutWorkload.class,
        jdbcUrl,
        hub,
        name,
        String.valueOf(lease.toMillis()),
        mode);
  }

  /** Runs {@code main} with {@code args} in a child JVM named {@code name}, logging into dir. */
  static WorkerProcess start(String name, Path dir, Class<?> main, String... args)
      throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path log = dir.resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            java,
            "-Xmx192m",
            // Short-lived JVMs sharing 2 cores: one GC thread, no C2 compilations.
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            main.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    return new WorkerProcess(name, process, log);
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

  /** The store worker id the process printed. */
  String workerId() {
    return seen.stream()
        .filter(l -> l.startsWith("WORKER "))
        .map(l -> l.substring(7))
        .findFirst()
        .orElseThrow();
  }

  /** Waits for a line on stdout; fails if the process ends first or the timeout passes. */
  void await(String expected, Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!seen.contains(expected)) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError(
            name + " did not print " + expected + " in " + timeout + logTail());
      }
      if (line.equals(EOF)) {
        process.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(name + " ended before printing " + expected + logTail());
      }
    }
  }

  /** SIGKILL (destroyForcibly on Linux); returns the exit code. */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Whether its log (stderr) has a line containing {@code text}. */
  boolean logContains(String text) throws IOException {
    return Files.readAllLines(log).stream().anyMatch(line -> line.contains(text));
  }

  String logTail() {
    try {
      List<String> all = Files.readAllLines(log);
      return "; its log ends with:\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
    } catch (IOException e) {
      return "";
    }
  }

  /** Closes its standard input (a graceful stop) and waits for it to exit. */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
