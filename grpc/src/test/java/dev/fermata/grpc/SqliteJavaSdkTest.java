package dev.fermata.grpc;

import dev.fermata.spi.DurableStore;
import dev.fermata.sqlite.SqliteStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The Java SDK's scenarios on an engine storing in a SQLite file. */
class SqliteJavaSdkTest extends JavaSdkScenarios {
  @TempDir Path dir;

  @Override
  protected DurableStore openStore() {
    return SqliteStore.open(dir.resolve("sidecar.db"));
  }
}
