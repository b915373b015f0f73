package dev.fermata.bench;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** Command lines for the benchmark's child processes: the same JVM and class path as this one. */
final class ChildJvm {
  private ChildJvm() {}

  /** {@code java OPTIONS -cp CLASS_PATH MAIN ARGS}. */
  static List<String> command(Class<?> main, List<String> options, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(options);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(args);
    return cmd;
  }

  /** This process's own {@code java}; the one in {@code java.home} if the OS does not say. */
  private static String java() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
  }
}
