package dev.fermata.postgres;

import dev.fermata.fixtures.ReleaseFixtureWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the hub of a release fixture for {@link PreviousReleaseDatabaseTest}: {@code
 * ReleaseWorkload}, finished and unfinished, in hub {@code releaseN} of an empty database, and the
 * snapshot of what the code it runs with read back ({@code release-N.json}). {@code pg_dump} then
 * turns the hub's schema into the committed fixture {@code release-N.sql}.
 *
 * <p>Run it with the code of the release the fixture stands for, from the repository root, against
 * the PostgreSQL of the tests (127.0.0.1:5432, user postgres):
 *
 * <pre>
 * ./fermata mvn -B -ntp -q -pl postgres -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * createdb -h 127.0.0.1 -U postgres fermata_fixture
 * java -cp postgres/target/test-classes:postgres/target/classes:$(cat postgres/target/test-classpath.txt) \
 *     dev.fermata.postgres.PostgresFixtureWriter jdbc:postgresql://127.0.0.1:5432/fermata_fixture \
 *     releaseN postgres/src/test/resources/fixtures/release-N.json "RELEASE at COMMIT"
 * pg_dump -h 127.0.0.1 -U postgres --schema=fermata_releasen --no-owner --inserts fermata_fixture \
 *     | grep -v '^\\' > postgres/src/test/resources/fixtures/release-N.sql
 * dropdb -h 127.0.0.1 -U postgres fermata_fixture
 * </pre>
 *
 * ({@code java} being a JDK 21 or newer.) {@code --inserts} makes a script that JDBC can run (plain
 * {@code COPY ... FROM stdin} needs psql), and {@code grep} drops psql's meta-commands, which newer
 * {@code pg_dump} versions write ({@code \restrict}).
 */
public final class PostgresFixtureWriter {
  private PostgresFixtureWriter() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4 || !args[2].endsWith(".json")) {
      System.err.println(
          "usage: PostgresFixtureWriter <jdbc url> <hub> <snapshot .json> <release and commit>");
      System.exit(2);
    }
    Path snapshot = Path.of(args[2]);
    if (Files.exists(snapshot)) {
      throw new IllegalStateException(snapshot + " exists: fixtures are kept");
    }
    Files.createDirectories(snapshot.toAbsolutePath().getParent());
    PostgresOptions options =
        PostgresOptions.builder(args[0]).user("postgres").hubName(args[1]).build();
    ReleaseFixtureWriter.write(() -> PostgresStore.open(options), args[3], snapshot);
    System.out.println("wrote hub " + options.schemaName() + " and " + snapshot);
  }
}
