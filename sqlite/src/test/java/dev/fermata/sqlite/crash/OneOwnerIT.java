package dev.fermata.sqlite.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.FermataException;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * One process per SQLite file: a store in another process is refused at start, naming the file and
 * the holder's pid; the lock dies with its process, so a killed holder leaves nothing that blocks.
 */
class OneOwnerIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void aStoreInAnotherProcess_isRefused_namingTheFileAndThisProcess() throws Exception {
    Path db = dir.resolve("owned.db");
    SqliteStore mine = SqliteStore.open(db);
    mine.start(InstantSource.system());
    try {
      // A refused second store in this JVM must not release the lock the first one holds.
      SqliteStore again = SqliteStore.open(db);
      assertThatThrownBy(() -> again.start(InstantSource.system()))
          .isInstanceOf(FermataException.class);

      try (ChildJvm child =
          ChildJvm.start(HoldStoreMain.class, dir.resolve("child.log"), "" + db)) {
        String line = child.awaitLineStartingWith("REFUSED", WAIT);
        assertThat(line)
            .contains(db.toAbsolutePath().toString())
            .contains("in use by another process")
            .contains("pid " + ProcessHandle.current().pid() + " on host ");
        assertThat(child.exitCode(WAIT)).isEqualTo(3);
      }
    } finally {
      mine.close();
    }
  }

  @Test
  void aStoreHeldByAnotherProcess_refusesThisOne_untilThatProcessIsKilled() throws Exception {
    Path db = dir.resolve("nested/held.db");
    try (ChildJvm child = ChildJvm.start(HoldStoreMain.class, dir.resolve("child.log"), "" + db)) {
      assertThat(child.await("OPENED", WAIT)).as("the child opened the store").isTrue();

      SqliteStore refused = SqliteStore.open(db);
      assertThatThrownBy(() -> refused.start(InstantSource.system()))
          .isInstanceOf(FermataException.class)
          .hasMessageContaining(db.toAbsolutePath().toString())
          .hasMessageContaining("in use by another process (pid " + child.pid() + " on host ");
      refused.close();

      child.kill(); // SIGKILL: the lock file stays, naming a process that is gone
    }
    assertThat(Files.readString(dir.resolve("nested/held.db.lock"))).startsWith("pid ");

    SqliteStore after = SqliteStore.open(db);
    after.start(InstantSource.system());
    try {
      assertThat(after.getInstance("none")).isEmpty();
    } finally {
      after.close();
    }
  }
}
