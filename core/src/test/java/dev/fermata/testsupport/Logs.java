package dev.fermata.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What the tests' logger, slf4j-simple (which writes to the current System.err), printed. */
public final class Logs {
  private Logs() {}

  /** Runs {@code work} and returns what was logged meanwhile; it stays in the test's output too. */
  public static String capture(Runnable work) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      work.run();
    } finally {
      System.setErr(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text);
    return text;
  }
}
