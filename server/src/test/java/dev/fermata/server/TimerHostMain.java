package dev.fermata.server;

import dev.fermata.host.FunctionModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * A host process for {@link ClusterTimerIT}: the timer function "Tick" fires every second and
 * appends one line, {@code <occurrence> <pid> <pastDue>}, to the file {@code fires} in the
 * directory given by the system property {@code test.dir}. The store comes from the {@code
 * FERMATA_*} variables, as for any host.
 */
public final class TimerHostMain {
  private TimerHostMain() {}

  public static void main(String[] args) {
    Path fires = Path.of(System.getProperty("test.dir")).resolve("fires");
    long pid = ProcessHandle.current().pid();
    FunctionModule ticking =
        host ->
            host.timer(
                "Tick",
                "* * * * * *",
                (info, client) ->
                    // One short write with O_APPEND: lines from several processes never interleave.
                    Files.writeString(
                        fires,
                        info.scheduledTime() + " " + pid + " " + info.isPastDue() + "\n",
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND));
    System.exit(Main.serve(Arrays.asList(args), () -> List.of(ticking)));
  }
}
