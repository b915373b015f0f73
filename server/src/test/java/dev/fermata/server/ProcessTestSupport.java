package dev.fermata.server;

import dev.fermata.testsupport.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Watching host processes through the files they write. */
final class ProcessTestSupport {
  private ProcessTestSupport() {}

  /** The file's text, or "" if it does not exist (yet) or cannot be read. */
  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Waits for a condition, generously (child JVMs on a loaded machine start slowly). */
  static void await(String what, BooleanSupplier condition) {
    Poll.until(what, Duration.ofSeconds(90), condition::getAsBoolean);
  }
}
