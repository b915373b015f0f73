package dev.fermata.sqlite;

import static dev.fermata.storetest.StoreFixtures.NAME;
import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.FermataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One store per SQLite file, within this JVM; {@code crash.OneOwnerIT} checks it across processes.
 */
class OwnerLockTest {
  @TempDir Path dir;
  private final List<SqliteStore> stores = new ArrayList<>();

  @AfterEach
  void closeStores() {
    stores.forEach(SqliteStore::close);
  }

  private SqliteStore open(Path db) {
    SqliteStore store = SqliteStore.open(db);
    stores.add(store);
    return store;
  }

  private SqliteStore start(Path db) {
    SqliteStore store = open(db);
    store.start(InstantSource.system());
    return store;
  }

  @Test
  void aSecondStoreOnTheSameFile_isRefusedAtStart_namingTheFileAndThisProcess() throws Exception {
    Path db = dir.resolve("fermata.db");
    SqliteStore first = start(db);

    SqliteStore second = open(db);
    assertThatThrownBy(() -> second.start(InstantSource.system()))
        .isInstanceOf(FermataException.class)
        .hasMessageContaining("The SQLite database " + db.toAbsolutePath())
        .hasMessageContaining("in use by this process (pid " + ProcessHandle.current().pid());
    // The same file by another spelling of its path is the same file.
    SqliteStore third = open(dir.resolve(".").resolve("fermata.db"));
    assertThatThrownBy(() -> third.start(InstantSource.system()))
        .isInstanceOf(FermataException.class)
        .hasMessageContaining("in use by this process");

    SqliteStore linked = open(Files.createSymbolicLink(dir.resolve("link.db"), db));
    assertThatThrownBy(() -> linked.start(InstantSource.system()))
        .isInstanceOf(FermataException.class)
        .hasMessageContaining("in use by this process");

    // The refusals changed nothing for the first store.
    assertThat(first.createInstance(newInstance(pendingRecord("a", NAME, Instant.now())))).isTrue();
    assertThat(first.getInstance("a")).isPresent();
  }

  @Test
  void theLockFile_namesTheHolder_andIsEmptiedAtClose() throws Exception {
    Path db = dir.resolve("fermata.db");
    Path lock = dir.resolve("fermata.db.lock");
    SqliteStore store = start(db);

    assertThat(Files.readString(lock))
        .startsWith("pid " + ProcessHandle.current().pid() + " on host ")
        .contains(", started ");

    store.close();
    assertThat(lock).exists().isEmptyFile();
  }

  @Test
  void afterClose_theFileOpensAgain_inThisProcess() {
    Path db = dir.resolve("fermata.db");
    SqliteStore first = start(db);
    first.createInstance(newInstance(pendingRecord("kept", NAME, Instant.now())));
    first.close();

    SqliteStore again = start(db);

    assertThat(again.getInstance("kept")).isPresent();
  }

  @Test
  void aStoreThatFailsToStart_releasesTheFile() throws Exception {
    Path db = dir.resolve("fermata.db");
    start(db).close();
    // A schema from the future makes the start fail after the lock was taken.
    RawDb.update(
        db,
        "INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'future', 0)");
    assertThatThrownBy(() -> start(db)).isInstanceOf(FermataException.class);
    RawDb.update(db, "DELETE FROM schema_version WHERE version = 99");

    assertThat(start(db).getInstance("none")).isEmpty();
  }

  @Test
  void aLockFileLeftByAProcessThatIsGone_doesNotBlock() throws Exception {
    Path db = dir.resolve("fermata.db");
    Files.writeString(
        dir.resolve("fermata.db.lock"),
        "pid 999999 on host elsewhere, started 2020-01-01T00:00:00Z\n");

    SqliteStore store = start(db);

    assertThat(store.getInstance("none")).isEmpty();
    assertThat(Files.readString(dir.resolve("fermata.db.lock")))
        .startsWith("pid " + ProcessHandle.current().pid());
  }

  @Test
  void inMemoryPaths_needNoLock() {
    assertThat(OwnerLock.isInMemory(Path.of(":memory:"))).isTrue();
    assertThat(OwnerLock.isInMemory(Path.of("file::memory:?cache=shared"))).isTrue();
    assertThat(OwnerLock.isInMemory(Path.of("fermata.db"))).isFalse();
    assertThat(OwnerLock.lockFileOf(Path.of("data", "fermata.db")))
        .isEqualTo(Path.of("data", "fermata.db.lock").toAbsolutePath());
  }
}
