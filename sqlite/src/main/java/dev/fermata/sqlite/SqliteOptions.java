package dev.fermata.sqlite;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link SqliteStore} opens its database. Immutable and validated when built.
 *
 * @param path the database file; missing parent directories are created at start
 * @param synchronous how hard SQLite works to make each commit survive a crash
 * @param busyTimeout how long a connection waits for a lock held by another connection
 * @param readerPoolSize how many connections serve reads alongside the single writer
 * @param maxHeldResults how many activity results the store may hold in memory for their
 *     orchestration's next checkpoint to record (saving a write each); past that, results are
 *     written as they come. It also bounds how many finished activities run again after a crash.
 *     Results held take at most 16 MiB together whatever the count, and a result over 64 Ki
 *     characters is always written at once.
 */
public record SqliteOptions(
    Path path,
    Synchronous synchronous,
    Duration busyTimeout,
    int readerPoolSize,
    int maxHeldResults) {

  /** SQLite's {@code PRAGMA synchronous} setting for the writer. */
  public enum Synchronous {
    /**
     * The default: every commit is flushed to disk (fsync) before it is reported durable, so it
     * survives a power loss. Group commit pays this once per batch, not once per step.
     */
    FULL,
    /**
     * In WAL mode, commits survive a crash of the process, but the last ones before a power loss or
     * operating-system crash may be lost.
     */
    NORMAL,
    /**
     * Not durable: SQLite never flushes, so a power loss or OS crash can lose commits or corrupt
     * the database. Only for tests and throwaway data.
     */
    OFF
  }

  public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_READER_POOL_SIZE = 4;
  public static final int DEFAULT_MAX_HELD_RESULTS = 4096;

  public SqliteOptions {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(synchronous, "synchronous");
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    if (busyTimeout.isNegative()) {
      throw new IllegalArgumentException("busyTimeout must not be negative, was " + busyTimeout);
    }
    if (readerPoolSize < 1) {
      throw new IllegalArgumentException(
          "readerPoolSize must be at least 1, was " + readerPoolSize);
    }
    if (maxHeldResults < 0) {
      throw new IllegalArgumentException(
          "maxHeldResults must not be negative, was " + maxHeldResults);
    }
  }

  /** The defaults: {@link Synchronous#FULL}, a 5 s busy timeout, 4 readers, 128 held results. */
  public static SqliteOptions defaults(Path path) {
    return builder(path).build();
  }

  public static Builder builder(Path path) {
    return new Builder(path);
  }

  /** Builds {@link SqliteOptions}, starting from the defaults. */
  public static final class Builder {
    private final Path path;
    private Synchronous synchronous = Synchronous.FULL;
    private Duration busyTimeout = DEFAULT_BUSY_TIMEOUT;
    private int readerPoolSize = DEFAULT_READER_POOL_SIZE;
    private int maxHeldResults = DEFAULT_MAX_HELD_RESULTS;

    private Builder(Path path) {
      this.path = path;
    }

    public Builder synchronous(Synchronous synchronous) {
      this.synchronous = synchronous;
      return this;
    }

    public Builder busyTimeout(Duration busyTimeout) {
      this.busyTimeout = busyTimeout;
      return this;
    }

    public Builder readerPoolSize(int readerPoolSize) {
      this.readerPoolSize = readerPoolSize;
      return this;
    }

    /** 0 writes every activity result as it comes (one more write per activity). */
    public Builder maxHeldResults(int maxHeldResults) {
      this.maxHeldResults = maxHeldResults;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a value is out of range
     * @throws NullPointerException if a value is missing
     */
    public SqliteOptions build() {
      return new SqliteOptions(path, synchronous, busyTimeout, readerPoolSize, maxHeldResults);
    }
  }
}
