package dev.fermata.sqlite.crash;

import dev.fermata.Fermata;
import dev.fermata.fixtures.StepWindowFlow;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.sqlite.crash.CrashWorkload.ActivityLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The child JVM of {@link StepWindowIT}: {@link StepWindowFlow} on a SQLite file. */
public final class StepWindowWorkload {
  static final String LOG = "activity.log";

  private StepWindowWorkload() {}

  /** Args: the database path; {@code start} schedules the orchestration, {@code resume} not. */
  public static void main(String[] args) throws Exception {
    Path db = Path.of(args[0]);
    Path dir = db.getParent();
    try (ActivityLog log = ActivityLog.open(dir.resolve(LOG));
        Fermata engine =
            StepWindowFlow.register(
                    Fermata.builder().store(SqliteStore.open(db)),
                    dir,
                    (ctx, call) -> {
                      try {
                        log.record(ctx, call);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    })
                .build()
                .start()) {
      StepWindowFlow.serve(engine, args[1].equals("start"));
    }
  }
}
