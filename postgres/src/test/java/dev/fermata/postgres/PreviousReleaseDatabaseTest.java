package dev.fermata.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.fixtures.FixtureSnapshot;
import dev.fermata.fixtures.ReleaseFixtureCheck;
import dev.fermata.fixtures.ReleaseWorkload;
import dev.fermata.postgres.support.TestPostgres;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hub written by an earlier release (a {@code pg_dump} script in {@code fixtures/}, written
 * with {@link PostgresFixtureWriter}) opens with the current store and runs on: finished instances
 * read back as the writing release read them, and waiting ones complete. Each fixture is restored
 * into a fresh database.
 */
class PreviousReleaseDatabaseTest {

  static Stream<String> fixtures() throws IOException {
    try (Stream<Path> files = Files.list(fixtureFolder())) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(name -> name.endsWith(".sql"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @Test
  void theFirstReleasesFixtureIsThere() throws IOException {
    // The parameterized test passes on no fixture at all; this makes a lost fixture fail.
    assertThat(fixtures()).contains("release-1.sql");
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void opensAndRunsOn(String fixture) throws Exception {
    String name = fixture.replaceFirst("\\.sql$", "");
    String hub = name.replace("-", ""); // release-1.sql holds hub release1
    FixtureSnapshot written = FixtureSnapshot.read(fixtureFolder().resolve(name + ".json"));

    try (TestPostgres postgres = TestPostgres.createDatabase()) {
      restore(postgres, fixtureFolder().resolve(fixture));
      PostgresOptions options = postgres.options(hub).build();
      try (Fermata engine =
          ReleaseFixtureCheck.functions(
                  Fermata.builder()
                      .store(PostgresStore.open(options))
                      .shutdownGracePeriod(Duration.ofSeconds(5)))
              .build()
              .start()) {
        ReleaseFixtureCheck.finishedInstancesReadBackExactly(engine.client(), written);
        ReleaseFixtureCheck.finishedInstancesHoldTheirResults(engine.client());
        assertThat(deadLetters(postgres, options.schemaName(), ReleaseWorkload.DEAD_LETTERED))
            .as("the dead-lettered message is kept")
            .isPositive();
        assertThat(wronglyClassified(postgres, options.schemaName()))
            .as("rows whose kind the migration got wrong")
            .isZero();

        ReleaseFixtureCheck.unfinishedInstancesRunToTheEnd(engine.client());
      }
    }
  }

  /** Runs the dump as one script: pgjdbc splits it into statements, minding quoted text. */
  private static void restore(TestPostgres postgres, Path dump) throws IOException, SQLException {
    try (Connection db = postgres.connect();
        Statement statement = db.createStatement()) {
      statement.execute(Files.readString(dump, StandardCharsets.UTF_8));
    }
  }

  /**
   * Instance rows whose kind disagrees with their id (entities' ids start with '@'), or -1 if the
   * fixture holds no entity to classify.
   */
  private static long wronglyClassified(TestPostgres postgres, String schema) throws SQLException {
    try (Connection db = postgres.connect();
        Statement select = db.createStatement();
        ResultSet row =
            select.executeQuery(
                "SELECT count(*) FILTER (WHERE (kind = 'entity') <> (left(instance_id, 1) = '@')),"
                    + " count(*) FILTER (WHERE kind = 'entity') FROM "
                    + schema
                    + ".instances")) {
      row.next();
      return row.getLong(2) == 0 ? -1 : row.getLong(1);
    }
  }

  private static long deadLetters(TestPostgres postgres, String schema, String instanceId)
      throws SQLException {
    try (Connection db = postgres.connect();
        PreparedStatement select =
            db.prepareStatement(
                "SELECT count(*) FROM " + schema + ".dead_letters WHERE instance_id = ?")) {
      select.setString(1, instanceId);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private static Path fixtureFolder() {
    try {
      return Path.of(PreviousReleaseDatabaseTest.class.getResource("/fixtures").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
