package dev.fermata.sqlite;

import dev.fermata.FermataException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Makes a SQLite store the only one on its database file: an exclusive operating-system lock on
 * {@code <database>.lock}, held from start to close. The store's locks and wake-ups live in memory,
 * so two processes on one file would each hand out the same work, and a step could be recorded
 * twice.
 *
 * <p>The lock dies with its process, so the file left behind by a killed process blocks nothing;
 * its text (the holder's pid, host and start time) only serves to name the holder when another
 * process is refused. The file is never deleted: a process could be locking the deleted file while
 * a third one creates and locks a new one.
 *
 * <p>Within one JVM, a second store on the same file is refused from a table of the files locked
 * here, before the lock file is opened again: on POSIX systems, closing any descriptor of a file
 * releases every lock the process holds on it, so a refused attempt must not open and close it.
 */
final class OwnerLock implements AutoCloseable {
  /**
   * The locked byte, far past the text, so that systems whose locks are mandatory (Windows) still
   * let another process read who holds it.
   */
  private static final long LOCKED_POSITION = Long.MAX_VALUE - 1;

  /** The lock files this JVM holds, by real path, with their holder text. */
  private static final Map<Path, String> HELD_HERE = new HashMap<>();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private OwnerLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * The lock file of a database: {@code fermata.db} → {@code fermata.db.lock}, beside it (beside
   * the real file, when the database path is a symbolic link).
   */
  static Path lockFileOf(Path database) {
    Path absolute = database.toAbsolutePath();
    return absolute.resolveSibling(absolute.getFileName() + ".lock");
  }

  /** Whether the path names an in-memory database, which no other process can open. */
  static boolean isInMemory(Path database) {
    String text = database.toString();
    return text.equals(":memory:")
        || text.startsWith("file::memory:")
        || text.toLowerCase(Locale.ROOT).contains("mode=memory");
  }

  /**
   * Takes the lock of {@code database}, whose parent directory must exist.
   *
   * @throws FermataException naming the database and, when known, the holder, if another store (in
   *     this process or another) has the file, or if the lock file cannot be used
   */
  static OwnerLock acquire(Path database) {
    Path file = lockFileOf(database);
    Path key;
    try {
      // One lock file per real file, however its path is spelled (links, "..", relative paths).
      Path real =
          Files.exists(database)
              ? database.toRealPath()
              : file.getParent().toRealPath().resolve(database.getFileName());
      key = lockFileOf(real);
    } catch (IOException e) {
      throw cannotLock(database, file, e);
    }
    synchronized (HELD_HERE) {
      String holder = HELD_HERE.get(key);
      if (holder != null) {
        throw inUse(database, "this process (" + holder + ")");
      }
      FileChannel channel = null;
      try {
        channel =
            FileChannel.open(
                key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = channel.tryLock(LOCKED_POSITION, 1, false);
        } catch (OverlappingFileLockException e) {
          // Locked in this JVM by something other than a store; our table did not know it.
          throw inUse(database, "this process (pid " + ProcessHandle.current().pid() + ")");
        }
        if (lock == null) {
          String text = readHolder(channel);
          throw inUse(
              database,
              "another process" + (text.isEmpty() ? " (not identified)" : " (" + text + ")"));
        }
        String me = describeThisProcess();
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        HELD_HERE.put(key, me);
        return new OwnerLock(key, channel, lock);
      } catch (IOException e) {
        closeQuietly(channel);
        throw cannotLock(database, file, e);
      } catch (RuntimeException e) {
        closeQuietly(channel);
        throw e;
      }
    }
  }

  /** Releases the lock; the file stays, emptied, for the next store. */
  @Override
  public void close() {
    synchronized (HELD_HERE) {
      try {
        if (channel.isOpen()) {
          channel.truncate(0);
          lock.release();
        }
      } catch (IOException e) {
        // closing the channel below releases the lock anyway
      } finally {
        closeQuietly(channel);
        HELD_HERE.remove(key);
      }
    }
  }

  private static String readHolder(FileChannel channel) {
    try {
      long size = Math.min(channel.size(), 4096);
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
        // reads until full or end of file
      }
      return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)
          .strip()
          .replaceAll("\\s+", " ");
    } catch (IOException e) {
      return "";
    }
  }

  private static String describeThisProcess() {
    return "pid "
        + ProcessHandle.current().pid()
        + " on host "
        + hostName()
        + ", started "
        + ProcessHandle.current().info().startInstant().orElse(Instant.now());
  }

  /** The machine's name, without a DNS lookup where the system says it directly. */
  private static String hostName() {
    String name = System.getenv("COMPUTERNAME"); // Windows
    if (name != null && !name.isBlank()) {
      return name.strip();
    }
    try {
      Path linux = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(linux)) {
        name = Files.readString(linux).strip();
        if (!name.isEmpty()) {
          return name;
        }
      }
    } catch (IOException | RuntimeException e) {
      // asked below
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static FermataException inUse(Path database, String holder) {
    return new FermataException(
        "The SQLite database "
            + database.toAbsolutePath()
            + " is already in use by "
            + holder
            + ". One process at a time may open a SQLite file: stop the other one, or use"
            + " another file (a PostgreSQL store lets several processes share a hub).");
  }

  private static FermataException cannotLock(Path database, Path file, IOException e) {
    return new FermataException(
        "Cannot lock the SQLite database "
            + database.toAbsolutePath()
            + " for this process through "
            + file
            + ": "
            + e,
        e);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing more to release
      }
    }
  }
}
