package dev.fermata.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fermata.spi.StoreFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreFactoryTest {
  @TempDir Path dir;

  private static StoreFactory sqlite() {
    return ServiceLoader.load(StoreFactory.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(f -> f.type().equals("sqlite"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void isFoundByServiceLoader_andAppliesEverySetting() {
    Path db = dir.resolve("hub.db");
    SqliteStore store =
        (SqliteStore)
            sqlite()
                .open(
                    "MyHub",
                    Map.of(
                        "path", db.toString(),
                        "synchronous", "normal",
                        "busyTimeout", "00:00:02.500",
                        "readerPoolSize", "2",
                        "maxHeldResults", "0"));
    assertThat(store.options().path()).isEqualTo(db);
    assertThat(store.options().synchronous()).isEqualTo(SqliteOptions.Synchronous.NORMAL);
    assertThat(store.options().busyTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(store.options().readerPoolSize()).isEqualTo(2);
    assertThat(store.options().maxHeldResults()).isZero();
  }

  @Test
  void defaultsToTheDefaultPath() {
    SqliteStore store = (SqliteStore) sqlite().open("Hub", Map.of());
    assertThat(store.options().path()).isEqualTo(SqliteDefaultStoreProvider.DEFAULT_PATH);
  }

  @Test
  void refusesBadSettings_namingTheSettingAndTheAcceptedValues() {
    assertThatThrownBy(() -> sqlite().open("Hub", Map.of("synchronous", "sometimes")))
        .hasMessageContaining("storageProvider.synchronous")
        .hasMessageContaining("[FULL, NORMAL, OFF]");
    assertThatThrownBy(() -> sqlite().open("Hub", Map.of("busyTimeout", "5s")))
        .hasMessageContaining("storageProvider.busyTimeout")
        .hasMessageContaining("hh:mm:ss");
    assertThatThrownBy(() -> sqlite().open("Hub", Map.of("readerPoolSize", "0")))
        .hasMessageContaining("1 to 64");
    assertThatThrownBy(() -> sqlite().open("Hub", Map.of("maxHeldResults", "-1")))
        .hasMessageContaining("storageProvider.maxHeldResults")
        .hasMessageContaining("0 to 1000000");
    assertThatThrownBy(() -> sqlite().open("Hub", Map.of("connectionString", "x")))
        .hasMessageContaining("'connectionString'")
        .hasMessageContaining("path");
  }
}
