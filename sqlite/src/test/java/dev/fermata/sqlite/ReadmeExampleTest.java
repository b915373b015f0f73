package dev.fermata.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first workflow, taken from README.md as it is, compiles against the current API and
 * prints what the README says, run as a program of its own on the default (SQLite) store.
 */
class ReadmeExampleTest {
  private static final String SECTION = "## A first workflow";

  @TempDir Path dir;

  @Test
  void theReadmeFirstWorkflowCompilesAndRuns() throws Exception {
    String readme = Files.readString(findReadme(), StandardCharsets.UTF_8);
    String code = firstJavaBlockAfter(readme, SECTION);
    assertThat(code).contains("public class FirstWorkflow");
    Path source = dir.resolve("FirstWorkflow.java");
    Files.writeString(source, code, StandardCharsets.UTF_8);

    String classPath = testClassPath();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int compiled =
        javac.run(
            null,
            null,
            null,
            "-proc:none",
            "-cp",
            classPath,
            "-d",
            dir.toString(),
            source.toString());
    assertThat(compiled).as("javac exit status for the README's code").isZero();

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    Process process =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    dir + File.pathSeparator + classPath,
                    "FirstWorkflow"))
            .directory(dir.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("FirstWorkflow did not finish: " + Files.readString(stderr));
    }
    assertThat(process.exitValue()).as(Files.readString(stderr)).isZero();
    assertThat(Files.readString(stdout).strip())
        .isEqualTo("[card for Ada, engineer laptop, welcome Ada]");
    assertThat(readme).contains("It prints `[card for Ada, engineer laptop, welcome Ada]`");
    // No store given: the default store is SQLite under ./fermata-data/.
    assertThat(dir.resolve("fermata-data").resolve("fermata.db")).exists();
  }

  private static String firstJavaBlockAfter(String markdown, String heading) {
    int section = markdown.indexOf(heading);
    assertThat(section).as("README section '%s'", heading).isNotNegative();
    String open = "```java\n";
    int start = markdown.indexOf(open, section) + open.length();
    int end = markdown.indexOf("```", start);
    return markdown.substring(start, end);
  }

  private static Path findReadme() throws IOException {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path readme = d.resolve("README.md");
      if (Files.isRegularFile(readme) && Files.readString(readme).contains(SECTION)) {
        return readme;
      }
    }
    throw new AssertionError("README.md with '" + SECTION + "' not found above the module");
  }

  /** Surefire may run the tests from a manifest-only jar; it names the real class path here. */
  private static String testClassPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }
}
