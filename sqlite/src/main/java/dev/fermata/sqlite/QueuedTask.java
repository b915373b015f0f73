package dev.fermata.sqlite;

import dev.fermata.spi.ActivityTask;

/**
 * An activity task waiting for this process's activity threads. A task a checkpoint just inserted
 * carries its row ({@code inserted}), with its first delivery counted in the insert, so handing it
 * out reads and writes nothing; a task found at start or given back carries only its id, and is
 * read and counted when handed out.
 */
record QueuedTask(long id, ActivityTask inserted) {
  static QueuedTask stored(long id) {
    return new QueuedTask(id, null);
  }
}
