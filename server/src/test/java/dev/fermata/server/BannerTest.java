package dev.fermata.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.host.FermataHost;
import dev.fermata.host.HostConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start banner names the store it opened. */
class BannerTest {
  @TempDir Path dir;

  private static FermataHost host(HostConfig config) {
    return FermataHost.builder(config).orchestrator("Flow", ctx -> "done").build();
  }

  private static HostConfig sqlite(Path db) {
    return HostConfig.defaults()
        .withPort(0)
        .withStorage("sqlite", Map.of("path", db.toString(), "synchronous", "OFF"));
  }

  @Test
  void sqlite_namesTheAbsolutePath_andWhetherTheFileWasCreatedOrOpened() {
    Path db = dir.resolve("banner.db");
    try (FermataHost host = host(sqlite(db)).start()) {
      String banner = Banner.of(host);
      assertThat(banner)
          .contains("Store:           sqlite " + db.toAbsolutePath() + ", created\n")
          .contains("listening on " + host.baseUrl());
    }

    try (FermataHost host = host(sqlite(db)).start()) {
      assertThat(Banner.of(host))
          .contains("Store:           sqlite " + db.toAbsolutePath() + ", opened (0 instances)\n");
    }
  }

  @Test
  void postgres_namesTheUrlWithoutItsPassword_andTheHub() {
    HostConfig config =
        HostConfig.defaults()
            .withPort(0)
            .withStorage(
                "postgres",
                Map.of(
                    "connectionString",
                    "jdbc:postgresql://db.example:5432/fermata?user=app&password=s3cret&ssl=true",
                    "password",
                    "other-s3cret"));
    // Built, not started: the banner needs only the store's settings, not a database.
    try (FermataHost host = host(config)) {
      String store = Banner.store(host);
      assertThat(store)
          .isEqualTo(
              "postgres jdbc:postgresql://db.example:5432/fermata?user=app&password=***&ssl=true,"
                  + " hub "
                  + config.hubName())
          .doesNotContain("s3cret");
    }
  }
}
