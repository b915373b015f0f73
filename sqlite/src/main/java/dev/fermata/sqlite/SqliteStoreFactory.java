package dev.fermata.sqlite;

import dev.fermata.spi.DurableStore;
import dev.fermata.spi.StoreFactory;
import dev.fermata.spi.TimeSpans;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens a {@link SqliteStore} from configuration ({@code "type": "sqlite"}). Settings: {@code path}
 * (default {@code fermata-data/fermata.db}), {@code synchronous} ({@code FULL}, {@code NORMAL} or
 * {@code OFF}), {@code busyTimeout} (a time span), {@code readerPoolSize} and {@code
 * maxHeldResults}.
 *
 * <p>One SQLite file holds one task hub, so the hub name is not stored: use one file per hub. It
 * serves one process: a second store on the file is refused at start (see {@link SqliteStore}).
 */
public final class SqliteStoreFactory implements StoreFactory {
  private static final Set<String> SETTINGS =
      Set.of("path", "synchronous", "busyTimeout", "readerPoolSize", "maxHeldResults");

  @Override
  public String type() {
    return "sqlite";
  }

  @Override
  public Set<String> settingNames() {
    return SETTINGS;
  }

  @Override
  public DurableStore open(String hubName, Map<String, String> settings) {
    for (String name : settings.keySet()) {
      if (!SETTINGS.contains(name)) {
        throw new IllegalArgumentException(
            "Unknown sqlite storageProvider setting '"
                + name
                + "'; the accepted settings are "
                + new TreeSet<>(SETTINGS));
      }
    }
    SqliteOptions.Builder b = SqliteOptions.builder(path(settings.get("path")));
    String sync = settings.get("synchronous");
    if (sync != null) {
      try {
        b.synchronous(SqliteOptions.Synchronous.valueOf(sync.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "storageProvider.synchronous must be one of "
                + Arrays.toString(SqliteOptions.Synchronous.values())
                + ", got '"
                + sync
                + "'");
      }
    }
    String busy = settings.get("busyTimeout");
    if (busy != null) {
      b.busyTimeout(TimeSpans.parse("storageProvider.busyTimeout", busy));
    }
    String readers = settings.get("readerPoolSize");
    if (readers != null) {
      b.readerPoolSize(wholeNumber("readerPoolSize", readers, 1, 64));
    }
    String held = settings.get("maxHeldResults");
    if (held != null) {
      b.maxHeldResults(wholeNumber("maxHeldResults", held, 0, 1_000_000));
    }
    return SqliteStore.open(b.build());
  }

  private static Path path(String value) {
    if (value == null) {
      return SqliteDefaultStoreProvider.DEFAULT_PATH;
    }
    try {
      if (value.isBlank()) {
        throw new InvalidPathException(value, "empty");
      }
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "storageProvider.path must be a file path such as fermata-data/fermata.db, got '"
              + value
              + "'");
    }
  }

  private static int wholeNumber(String setting, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        String.format(
            "storageProvider.%s must be a whole number from %d to %d, got '%s'",
            setting, min, max, value));
  }
}
