package dev.fermata.spi;

import dev.fermata.history.HistoryEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the golden file of every sample in {@link StoredFormatSamples} that has none yet, from the
 * codec as it is: run it once after adding an event kind and its sample, then commit the new file.
 *
 * <p>It never overwrites a file. A golden file records what databases in the field already hold;
 * changing one would hide a format change from {@link StoredFormatTest} instead of showing it.
 *
 * <p>Usage, from the repository root (the argument is the golden folder):
 *
 * <pre>
 * ./fermata mvn -B -ntp -q -pl core test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp core/target/test-classes:core/target/classes:$(cat core/target/test-classpath.txt) \
 *     dev.fermata.spi.StoredFormatGoldenWriter core/src/test/resources/stored-format
 * </pre>
 */
public final class StoredFormatGoldenWriter {
  private StoredFormatGoldenWriter() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: StoredFormatGoldenWriter <golden folder>");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    Files.createDirectories(root.resolve(StoredFormatTest.EVENTS));
    for (Map.Entry<String, HistoryEvent> sample :
        new TreeMap<>(StoredFormatSamples.EVENTS).entrySet()) {
      writeIfMissing(
          root.resolve(StoredFormatTest.EVENTS).resolve(sample.getKey() + ".json"),
          HistoryCodec.encode(sample.getValue()));
    }
    writeIfMissing(
        root.resolve(StoredFormatTest.FAILURE),
        HistoryCodec.encodeFailure(StoredFormatSamples.FAILURE));
  }

  private static void writeIfMissing(Path file, String json) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    // The exact stored text, plus a final newline that the test strips.
    Files.writeString(file, json + "\n", StandardCharsets.UTF_8);
    System.out.println("wrote " + file);
  }
}
