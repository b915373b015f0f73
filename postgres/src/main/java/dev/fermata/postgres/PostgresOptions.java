package dev.fermata.postgres;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach the database and how the store shares work with other workers. Build with {@link
 * #builder(String)}; every value is checked when built.
 *
 * @param jdbcUrl the database, as {@code jdbc:postgresql://host:port/database}
 * @param user the database user, or null to take it from the URL or the driver's defaults
 * @param password the password, or null
 * @param hubName the task hub: 3 to 45 letters and digits, starting with a letter; case does not
 *     matter. Each hub lives in its own schema, {@code fermata_<hub in lower case>}.
 * @param maxPoolSize connections in this worker's pool (default {@value #DEFAULT_MAX_POOL_SIZE});
 *     one more is kept for LISTEN
 * @param leaseDuration how long a worker owns an instance or an activity task it took without
 *     renewing the lease (default 30 s). Leases are renewed every third of it while the work runs,
 *     so this is how long a crashed worker's work waits before another worker takes it over.
 * @param maxQueuePollingInterval the longest an idle worker waits before looking for work by itself
 *     (default 1 s); notifications usually wake it within milliseconds, so this only bounds the
 *     delay when one is missed (for example while the database restarts)
 */
public record PostgresOptions(
    String jdbcUrl,
    String user,
    String password,
    String hubName,
    int maxPoolSize,
    Duration leaseDuration,
    Duration maxQueuePollingInterval) {

  public static final String DEFAULT_HUB_NAME = "FermataHub";
  public static final int DEFAULT_MAX_POOL_SIZE = 10;
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_QUEUE_POLLING_INTERVAL = Duration.ofSeconds(30);

  private static final Pattern HUB_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{2,44}");
  private static final Duration MIN_LEASE = Duration.ofMillis(500);
  private static final Duration MIN_POLLING = Duration.ofMillis(10);
  private static final Duration MAX_POLLING = Duration.ofMinutes(5);

  /**
   * @throws IllegalArgumentException naming the value that is invalid and what is accepted
   */
  public PostgresOptions {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "jdbcUrl must start with 'jdbc:postgresql:', was '" + redacted(jdbcUrl) + "'");
    }
    Objects.requireNonNull(hubName, "hubName");
    if (!HUB_NAME.matcher(hubName).matches()) {
      throw new IllegalArgumentException(
          "hubName must be 3 to 45 letters and digits starting with a letter, was '"
              + hubName
              + "'");
    }
    if (maxPoolSize < 1 || maxPoolSize > 1000) {
      throw new IllegalArgumentException(
          "maxPoolSize must be between 1 and 1000, was " + maxPoolSize);
    }
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    if (leaseDuration.compareTo(MIN_LEASE) < 0) {
      throw new IllegalArgumentException(
          "leaseDuration must be at least " + MIN_LEASE + ", was " + leaseDuration);
    }
    Objects.requireNonNull(maxQueuePollingInterval, "maxQueuePollingInterval");
    if (maxQueuePollingInterval.compareTo(MIN_POLLING) < 0
        || maxQueuePollingInterval.compareTo(MAX_POLLING) > 0) {
      throw new IllegalArgumentException(
          "maxQueuePollingInterval must be between "
              + MIN_POLLING
              + " and "
              + MAX_POLLING
              + ", was "
              + maxQueuePollingInterval);
    }
  }

  /** Options for the database at {@code jdbcUrl}, with the defaults for everything else. */
  public static Builder builder(String jdbcUrl) {
    return new Builder(jdbcUrl);
  }

  /** The schema holding this hub's tables. */
  public String schemaName() {
    return "fermata_" + hubName.toLowerCase(Locale.ROOT);
  }

  /** Options equal to these but for another hub. */
  public PostgresOptions withHubName(String otherHub) {
    return new PostgresOptions(
        jdbcUrl, user, password, otherHub, maxPoolSize, leaseDuration, maxQueuePollingInterval);
  }

  private static final Pattern URL_PASSWORD_PARAMETER =
      Pattern.compile("(?i)([?&;]password=)[^&;]*");
  private static final Pattern URL_USER_INFO_PASSWORD = Pattern.compile("(//[^/?#@:]*:)[^/?#@]*@");

  /**
   * The JDBC URL with any password in it replaced by {@code ***} (a {@code password} parameter or
   * {@code user:password@}), for logs and banners.
   */
  public String redactedJdbcUrl() {
    return redacted(jdbcUrl);
  }

  private static String redacted(String url) {
    String masked = URL_PASSWORD_PARAMETER.matcher(url).replaceAll("$1***");
    return URL_USER_INFO_PASSWORD.matcher(masked).replaceAll("$1***@");
  }

  @Override
  public String toString() { // never print the password
    return "PostgresOptions[jdbcUrl="
        + redactedJdbcUrl()
        + ", user="
        + user
        + ", hubName="
        + hubName
        + ", maxPoolSize="
        + maxPoolSize
        + ", leaseDuration="
        + leaseDuration
        + ", maxQueuePollingInterval="
        + maxQueuePollingInterval
        + "]";
  }

  /** Collects options; {@link #build()} checks them. */
  public static final class Builder {
    private final String jdbcUrl;
    private String user;
    private String password;
    private String hubName = DEFAULT_HUB_NAME;
    private int maxPoolSize = DEFAULT_MAX_POOL_SIZE;
    private Duration leaseDuration = DEFAULT_LEASE_DURATION;
    private Duration maxQueuePollingInterval = DEFAULT_MAX_QUEUE_POLLING_INTERVAL;

    private Builder(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    public Builder hubName(String hubName) {
      this.hubName = hubName;
      return this;
    }

    public Builder maxPoolSize(int maxPoolSize) {
      this.maxPoolSize = maxPoolSize;
      return this;
    }

    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
      return this;
    }

    public Builder maxQueuePollingInterval(Duration maxQueuePollingInterval) {
      this.maxQueuePollingInterval = maxQueuePollingInterval;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the value that is invalid and what is accepted
     */
    public PostgresOptions build() {
      return new PostgresOptions(
          jdbcUrl, user, password, hubName, maxPoolSize, leaseDuration, maxQueuePollingInterval);
    }
  }
}
