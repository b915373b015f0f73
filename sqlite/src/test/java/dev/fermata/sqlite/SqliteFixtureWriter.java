package dev.fermata.sqlite;

import dev.fermata.fixtures.ReleaseFixtureWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Writes a release fixture for {@link PreviousReleaseDatabaseTest}: a SQLite database holding
 * {@code ReleaseWorkload}, finished and unfinished, as the code it runs with writes it, and next to
 * it the snapshot of what that code read back ({@code release-N.json}).
 *
 * <p>Run it with the code of the release the fixture stands for (check out the release, or run it
 * just before the change that starts a new release), from the repository root:
 *
 * <pre>
 * ./fermata mvn -B -ntp -q -pl sqlite -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp sqlite/target/test-classes:sqlite/target/classes:$(cat sqlite/target/test-classpath.txt) \
 *     dev.fermata.sqlite.SqliteFixtureWriter sqlite/src/test/resources/fixtures/release-N.db \
 *     "RELEASE at COMMIT"
 * </pre>
 *
 * ({@code java} being a JDK 21 or newer.) It refuses to overwrite a fixture: a fixture stands for
 * databases already in the field, and a new one for each release is added next to the old ones.
 */
public final class SqliteFixtureWriter {
  private SqliteFixtureWriter() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !args[0].endsWith(".db")) {
      System.err.println("usage: SqliteFixtureWriter <fixture .db file> <release and commit>");
      System.exit(2);
    }
    Path target = Path.of(args[0]);
    Path snapshot = Path.of(args[0].replaceFirst("\\.db$", ".json"));
    if (Files.exists(target) || Files.exists(snapshot)) {
      throw new IllegalStateException(target + " or " + snapshot + " exists: fixtures are kept");
    }
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path dir = Files.createTempDirectory("fermata-fixture");
    Path db = dir.resolve("fixture.db");
    ReleaseFixtureWriter.write(() -> SqliteStore.open(db), args[1], snapshot);
    toSingleFile(db);
    Files.copy(db, target);
    System.out.println("wrote " + target + " and " + snapshot);
  }

  /**
   * Moves everything into the main file (no -wal or -shm file is needed to read it) and compacts
   * it. The store turns WAL mode on again when it opens the file.
   */
  private static void toSingleFile(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      s.execute("PRAGMA journal_mode=DELETE");
      s.execute("VACUUM");
    }
    for (String suffix : new String[] {"-wal", "-shm"}) {
      if (Files.exists(Path.of(db + suffix))) {
        throw new IllegalStateException(db + suffix + " is still there");
      }
    }
  }
}
