package dev.fermata.sqlite;

import static dev.fermata.storetest.StoreFixtures.NAME;
import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.FermataException;
import dev.fermata.storetest.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The store says what it opened, and refuses to recreate a missing file beside its journal. */
class SqliteOpenedTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);
  private SqliteStore store;

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  private SqliteStore start(Path file) {
    store = SqliteStore.open(SqliteOptions.defaults(file));
    store.start(clock);
    return store;
  }

  @Test
  void aNewFileIsReportedAsCreated_withItsAbsolutePath() {
    Path file = dir.resolve("fermata.db");

    start(file);

    SqliteStore.Opened opened = store.opened().orElseThrow();
    assertThat(opened.path()).isEqualTo(file.toAbsolutePath());
    assertThat(opened.path().isAbsolute()).isTrue();
    assertThat(opened.created()).isTrue();
    assertThat(opened.instances()).isZero();
    assertThat(opened.describe()).isEqualTo("created");
  }

  @Test
  void aReopenedFileIsReportedAsOpened_withItsInstanceCount() {
    Path file = dir.resolve("fermata.db");
    start(file);
    store.createInstance(newInstance(pendingRecord("a", NAME, T0)));
    store.createInstance(newInstance(pendingRecord("b", NAME, T0)));
    store.close();

    start(file);

    SqliteStore.Opened opened = store.opened().orElseThrow();
    assertThat(opened.created()).isFalse();
    assertThat(opened.instances()).isEqualTo(2);
    assertThat(opened.describe()).isEqualTo("opened (2 instances)");
    assertThat(opened.toString()).isEqualTo(file.toAbsolutePath() + " opened (2 instances)");
  }

  @Test
  void nothingIsReportedBeforeStart() {
    assertThat(SqliteStore.open(dir.resolve("fermata.db")).opened()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-wal", "-shm"})
  void aMissingFileBesideItsLeftoverJournal_isRefused_andNothingIsTouched(String suffix)
      throws IOException {
    Path file = dir.resolve("fermata.db");
    Path leftover = dir.resolve("fermata.db" + suffix);
    Files.writeString(leftover, "journal bytes");

    SqliteStore refused = SqliteStore.open(SqliteOptions.defaults(file));
    assertThatThrownBy(() -> refused.start(clock))
        .isInstanceOf(FermataException.class)
        .hasMessageContaining(file.toAbsolutePath().toString())
        .hasMessageContaining("is missing")
        .hasMessageContaining(leftover.toAbsolutePath().toString())
        .hasMessageContaining("Restore the database file")
        .hasMessageContaining("delete the -wal and -shm files");
    refused.close();

    assertThat(file).doesNotExist();
    assertThat(leftover).hasContent("journal bytes");
  }

  @Test
  void aRefusedStartLeavesTheFileFreeForTheNextStore() throws IOException {
    Path file = dir.resolve("fermata.db");
    Path wal = dir.resolve("fermata.db-wal");
    Files.writeString(wal, "journal bytes");
    SqliteStore refused = SqliteStore.open(SqliteOptions.defaults(file));
    assertThatThrownBy(() -> refused.start(clock)).isInstanceOf(FermataException.class);
    refused.close();
    Files.delete(wal); // what the message says to do, to start empty

    start(file);

    assertThat(store.opened().orElseThrow().created()).isTrue();
  }
}
