package dev.fermata.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.fixtures.FixtureSnapshot;
import dev.fermata.fixtures.ReleaseFixtureCheck;
import dev.fermata.fixtures.ReleaseWorkload;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every database written by an earlier release (a fixture in {@code fixtures/}, written by {@link
 * SqliteFixtureWriter}) opens with the current store and runs on: finished instances read back as
 * the writing release read them, and waiting ones complete.
 */
class PreviousReleaseDatabaseTest {
  @TempDir Path dir;

  static Stream<String> fixtures() throws IOException {
    try (Stream<Path> files = Files.list(fixtureFolder())) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(name -> name.endsWith(".db"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @Test
  void theFirstReleasesFixtureIsThere() throws IOException {
    // The parameterized test passes on no fixture at all; this makes a lost fixture fail.
    assertThat(fixtures()).contains("release-1.db");
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void opensAndRunsOn(String fixture) throws Exception {
    Path db = dir.resolve("fermata.db");
    Files.copy(fixtureFolder().resolve(fixture), db);
    FixtureSnapshot written =
        FixtureSnapshot.read(fixtureFolder().resolve(fixture.replaceFirst("\\.db$", ".json")));

    try (Fermata engine =
        ReleaseFixtureCheck.functions(
                Fermata.builder()
                    .store(SqliteStore.open(db))
                    .shutdownGracePeriod(Duration.ofSeconds(5)))
            .build()
            .start()) {
      ReleaseFixtureCheck.finishedInstancesReadBackExactly(engine.client(), written);
      ReleaseFixtureCheck.finishedInstancesHoldTheirResults(engine.client());
      assertThat(
              RawDb.count(
                  db,
                  "SELECT count(*) FROM dead_letters WHERE instance_id = ?",
                  ReleaseWorkload.DEAD_LETTERED))
          .as("the dead-lettered message is kept")
          .isPositive();
      assertThat(RawDb.count(db, "SELECT count(*) FROM instances WHERE kind = 'entity'"))
          .as("the entity row, classified by the migration that added its kind")
          .isPositive();
      assertThat(
              RawDb.count(
                  db,
                  "SELECT count(*) FROM instances"
                      + " WHERE (kind = 'entity') <> (substr(instance_id, 1, 1) = '@')"))
          .as("rows of the wrong kind")
          .isZero();

      ReleaseFixtureCheck.unfinishedInstancesRunToTheEnd(engine.client());
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
