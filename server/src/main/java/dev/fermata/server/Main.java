package dev.fermata.server;

import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import dev.fermata.host.HostConfigLoader;
import dev.fermata.host.HostTracing;
import dev.fermata.host.InvalidConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import sun.misc.Signal;

/**
 * The launcher's entry point: {@code serve} (the default) runs the host with the bundled functions
 * until SIGTERM or Ctrl-C; {@code instances ...} operates on a running host.
 */
public final class Main {
  /**
   * The functions this launcher serves: every {@link FunctionModule} on the class path, as listed
   * in the jars' {@code META-INF/services/dev.fermata.host.FunctionModule} files. The launcher's
   * own jar lists the demo; a jar of functions added to the class path is found the same way.
   *
   * @throws ServiceConfigurationError if a listed module cannot be loaded or created
   */
  static List<FunctionModule> discoverModules() {
    List<FunctionModule> modules = new ArrayList<>();
    ServiceLoader.load(FunctionModule.class).forEach(modules::add);
    return modules;
  }

  static final String USAGE =
      """
      usage: fermata [serve|run] [--config FILE]   run the host (default ./fermata.json, else
                                                 ./host.json, if present)
             fermata instances ...               operate on a running host
                                                 (fermata instances --help)
             fermata replay [--config FILE]      replay the store's unfinished instances against
                                                 the code, without running anything: exit 1 if
                                                 the code no longer fits one
             fermata replay --export DIR         write their histories to DIR instead
             fermata replay --from DIR           check the histories in DIR (no store needed)
             fermata help | --help               this help""";

  private Main() {}

  public static void main(String[] args) {
    System.exit(
        run(Arrays.asList(args), System.out, System.err, System.getenv(), Main::discoverModules));
  }

  /** Runs the command in {@code words}; returns the exit code (2 for a usage error). */
  static int run(
      List<String> words,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Supplier<List<FunctionModule>> modules) {
    // No command, or options first: serve, which also answers --help.
    boolean implicit = words.isEmpty() || words.get(0).startsWith("-");
    String command = implicit ? "serve" : words.get(0);
    List<String> rest = implicit ? words : words.subList(1, words.size());
    return switch (command) {
      case "serve", "run" -> serve(rest, out, err, env, modules);
      case "instances" -> new Cli(out, err).run(rest, env);
      case "replay" -> replay(rest, out, err, env, modules);
      case "help" -> {
        out.println(USAGE);
        yield 0;
      }
      default -> {
        err.println("fermata: unknown command '" + command + "'\n" + USAGE);
        yield 2;
      }
    };
  }

  /** The {@code --config FILE} of serve and replay, or the exit status of a usage error. */
  private record ConfigArgument(Path file, Integer exit) {}

  private static ConfigArgument configArgument(
      List<String> args, PrintStream out, PrintStream err) {
    Path configFile = null;
    List<String> words = Cli.splitEquals(args);
    for (int i = 0; i < words.size(); i++) {
      String a = words.get(i);
      if (a.equals("--help") || a.equals("-h")) {
        out.println(USAGE);
        return new ConfigArgument(null, 0);
      } else if (a.equals("--config") && i + 1 < words.size()) {
        configFile = Path.of(words.get(++i));
      } else {
        String problem =
            a.equals("--config")
                ? "--config needs a file path"
                : a.startsWith("-") ? "unknown option " + a : "unexpected argument '" + a + "'";
        err.println("fermata: " + problem + "\n" + USAGE);
        return new ConfigArgument(null, 2);
      }
    }
    return new ConfigArgument(configFile, null);
  }

  /** The host the configuration and the modules describe, or null once it has said why not. */
  private static FermataHost buildHost(
      Path configFile,
      Map<String, String> env,
      Supplier<List<FunctionModule>> modules,
      PrintStream err,
      String doing) {
    try {
      FermataHost.Builder builder =
          FermataHost.builder(HostConfigLoader.fromEnvironment(configFile, env));
      modules.get().forEach(builder::module);
      if (doing.equals("start")) { // a replay runs nothing, so it records no spans
        HostTracing.fromEnvironment(env).ifPresent(builder::tracing);
      }
      return builder.build();
    } catch (InvalidConfigException
        | IllegalArgumentException
        | UncheckedIOException
        | ServiceConfigurationError e) {
      err.println("fermata: cannot " + doing + ": " + e.getMessage());
      return null;
    }
  }

  /**
   * Replays the unfinished instances of the configured store against {@code modules}' code, with
   * the store open and nothing running (no HTTP, no workers).
   *
   * @return 0 if every instance fits the code, 1 if one does not, 2 for bad configuration, 3 if the
   *     store cannot be opened (a SQLite file a running host has, for one)
   */
  static int replay(
      List<String> args,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Supplier<List<FunctionModule>> modules) {
    List<String> rest = new ArrayList<>();
    Path export = null;
    Path from = null;
    List<String> words = Cli.splitEquals(args);
    for (int i = 0; i < words.size(); i++) {
      String a = words.get(i);
      if ((a.equals("--export") || a.equals("--from")) && i + 1 < words.size()) {
        Path dir = Path.of(words.get(++i));
        if (a.equals("--export")) {
          export = dir;
        } else {
          from = dir;
        }
      } else if (a.equals("--export") || a.equals("--from")) {
        err.println("fermata: " + a + " needs a directory\n" + USAGE);
        return 2;
      } else {
        rest.add(a);
      }
    }
    if (export != null && from != null) {
      err.println("fermata: --export and --from do not go together\n" + USAGE);
      return 2;
    }
    ConfigArgument given = configArgument(rest, out, err);
    if (given.exit() != null) {
      return given.exit();
    }
    FermataHost host = buildHost(given.file(), env, modules, err, "replay");
    if (host == null) {
      return 2;
    }
    try (host) {
      ReplayCommand command = new ReplayCommand(out);
      if (from != null) {
        if (!Files.isDirectory(from)) {
          err.println("fermata: " + from + " is not a directory");
          return 2;
        }
        return command.runFrom(host.fermata(), from);
      }
      try {
        host.fermata().openStore();
      } catch (dev.fermata.FermataException e) {
        err.println("fermata: cannot open the store: " + e.getMessage());
        return 3;
      }
      return export != null ? command.export(host, export) : command.run(host);
    } catch (IOException e) {
      err.println("fermata: " + e);
      return 2;
    }
  }

  /**
   * As {@link #serve(List, PrintStream, PrintStream, Map, Supplier)} with this process's streams.
   */
  static int serve(List<String> args, Supplier<List<FunctionModule>> modules) {
    return serve(args, System.out, System.err, System.getenv(), modules);
  }

  /**
   * Runs a host with {@code modules} (the launcher passes {@link #discoverModules()}) until SIGTERM
   * or SIGINT, then stops it gracefully.
   *
   * @return the exit code: 0 after a graceful stop, 1 if the store cannot be opened (a SQLite file
   *     another process has, for one) or HTTP cannot listen, 2 for bad configuration
   */
  static int serve(
      List<String> args,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Supplier<List<FunctionModule>> modules) {
    ConfigArgument given = configArgument(args, out, err);
    if (given.exit() != null) {
      return given.exit();
    }
    FermataHost host = buildHost(given.file(), env, modules, err, "start");
    if (host == null) {
      return 2;
    }
    CountDownLatch stop = new CountDownLatch(1);
    // Handling the signals ourselves (not a shutdown hook) lets a graceful stop exit with 0.
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    try {
      host.start();
    } catch (UncheckedIOException | dev.fermata.FermataException e) {
      // The port is taken, or the store cannot be opened: say so without a stack trace.
      err.println("fermata: cannot start: " + e.getMessage());
      host.close();
      return 1;
    }
    out.print(Banner.of(host));
    out.flush();
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    host.close();
    return 0;
  }
}
