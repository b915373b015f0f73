package dev.fermata.testing;

import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The engine's timer semantics in virtual time again, on a SQLite file. */
class SqliteEngineTimersInVirtualTimeTest extends EngineTimersInVirtualTimeTest {
  @TempDir Path dir;
  private int stores;

  @Override
  FermataTestEnvironment.Builder env() {
    return super.env().store(SqliteStore.open(dir.resolve("timers-" + stores++ + ".db")));
  }
}
