package dev.fermata.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first workflow, taken from README.md as it is, compiles against the current API and
 * prints what the README says, run as a program of its own on the default (SQLite) store; and the
 * README's coordinates and the BOM carry the build's version.
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

  @Test
  void theReadmeAndTheBomNameTheBuildsVersion() throws Exception {
    Path root = findReadme().getParent();
    String parent = Files.readString(root.resolve("pom.xml"));
    String version = versionAfter(parent, "<artifactId>fermata-parent</artifactId>");
    String bom = Files.readString(root.resolve("bom").resolve("pom.xml"));
    assertThat(versionAfter(bom, "<artifactId>fermata-bom</artifactId>")).isEqualTo(version);
    for (String module : List.of("core", "jdbc", "sqlite", "postgres", "http", "server")) {
      assertThat(bom).contains("<artifactId>fermata-" + module + "</artifactId>");
    }
    String readme = Files.readString(root.resolve("README.md"));
    Matcher coordinates =
        Pattern.compile("dev\\.fermata:fermata-[a-z]+:([^\"]+)\"|<version>([^<]+)</version>")
            .matcher(
                readme.substring(readme.indexOf("## Adding Fermata"), readme.indexOf("### Logs")));
    int found = 0;
    while (coordinates.find()) {
      String shown = coordinates.group(1) != null ? coordinates.group(1) : coordinates.group(2);
      assertThat(shown).as("a version in the README").isEqualTo(version);
      found++;
    }
    assertThat(found).isGreaterThanOrEqualTo(4);
  }

  private static String versionAfter(String pom, String artifactId) {
    Matcher m =
        Pattern.compile(Pattern.quote(artifactId) + "\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(m.find()).as("<version> after %s", artifactId).isTrue();
    return m.group(1);
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
