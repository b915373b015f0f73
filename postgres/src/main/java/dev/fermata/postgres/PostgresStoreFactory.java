package dev.fermata.postgres;

import dev.fermata.spi.DurableStore;
import dev.fermata.spi.StoreFactory;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens a {@link PostgresStore} from configuration (store type {@code postgres}). Settings: {@code
 * connectionString} (the JDBC URL, required), {@code user}, {@code password}, {@code maxPoolSize},
 * {@code leaseDuration} and {@code maxQueuePollingInterval} (durations as {@code 00:00:30} or ISO
 * 8601 {@code PT30S}).
 */
public final class PostgresStoreFactory implements StoreFactory {
  private static final Set<String> SETTINGS =
      Set.of(
          "connectionString",
          "user",
          "password",
          "maxPoolSize",
          "leaseDuration",
          "maxQueuePollingInterval");

  @Override
  public String type() {
    return "postgres";
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
            "unknown postgres store setting '"
                + name
                + "'; the settings are "
                + new TreeSet<>(SETTINGS));
      }
    }
    String url = settings.get("connectionString");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "the postgres store needs the setting 'connectionString', a JDBC URL such as"
              + " jdbc:postgresql://localhost:5432/fermata");
    }
    PostgresOptions.Builder options =
        PostgresOptions.builder(url).user(settings.get("user")).password(settings.get("password"));
    if (hubName != null) {
      options.hubName(hubName);
    }
    if (settings.containsKey("maxPoolSize")) {
      options.maxPoolSize(integer("maxPoolSize", settings.get("maxPoolSize")));
    }
    if (settings.containsKey("leaseDuration")) {
      options.leaseDuration(duration("leaseDuration", settings.get("leaseDuration")));
    }
    if (settings.containsKey("maxQueuePollingInterval")) {
      options.maxQueuePollingInterval(
          duration("maxQueuePollingInterval", settings.get("maxQueuePollingInterval")));
    }
    return PostgresStore.open(options.build());
  }

  private static int integer(String name, String value) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "postgres store setting '" + name + "' must be a whole number, was '" + value + "'");
    }
  }

  /** A duration as hh:mm:ss (the host.json style) or ISO 8601 (PT30S). */
  static Duration duration(String name, String value) {
    String text = value.strip();
    try {
      if (text.startsWith("P") || text.startsWith("p")) {
        return Duration.parse(text);
      }
      String[] parts = text.split(":");
      if (parts.length == 3) {
        return Duration.ofHours(Long.parseLong(parts[0]))
            .plusMinutes(Long.parseLong(parts[1]))
            .plusMillis(Math.round(Double.parseDouble(parts[2]) * 1000));
      }
    } catch (DateTimeParseException | NumberFormatException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(
        "postgres store setting '"
            + name
            + "' must be a duration such as 00:00:30 or PT30S, was '"
            + value
            + "'");
  }
}
