package dev.fermata.server;

import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import dev.fermata.host.HostConfig;
import dev.fermata.host.HostConfigLoader;
import dev.fermata.host.InvalidConfigException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  private static final String USAGE =
      """
      usage: fermata [serve] [--config FILE]     run the host (default ./fermata.json if present)
             fermata instances ...               operate on a running host (fermata instances help)""";

  private Main() {}

  public static void main(String[] args) {
    List<String> words = Arrays.asList(args);
    String command = words.isEmpty() || words.get(0).startsWith("--") ? "serve" : words.get(0);
    List<String> rest =
        words.isEmpty() || command != words.get(0) ? words : words.subList(1, words.size());
    switch (command) {
      case "serve", "run" -> System.exit(serve(rest, Main::discoverModules));
      case "instances" -> System.exit(new Cli(System.out, System.err).run(rest, System.getenv()));
      case "help" -> System.out.println(USAGE + "\n" + Cli.USAGE);
      default -> {
        System.err.println("fermata: unknown command '" + command + "'\n" + USAGE);
        System.exit(2);
      }
    }
  }

  /**
   * Runs a host with {@code modules} (the launcher passes {@link #discoverModules()}) until SIGTERM
   * or SIGINT, then stops it gracefully.
   *
   * @return the exit code: 0 after a graceful stop, 1 if the store cannot be opened (a SQLite file
   *     another process has, for one) or HTTP cannot listen, 2 for bad configuration
   */
  static int serve(List<String> args, Supplier<List<FunctionModule>> modules) {
    HostConfig config;
    FermataHost host;
    try {
      config = HostConfigLoader.fromEnvironment(args, System.getenv());
      FermataHost.Builder builder = FermataHost.builder(config);
      modules.get().forEach(builder::module);
      host = builder.build();
    } catch (InvalidConfigException
        | IllegalArgumentException
        | UncheckedIOException
        | ServiceConfigurationError e) {
      System.err.println("fermata: cannot start: " + e.getMessage());
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
      System.err.println("fermata: cannot start: " + e.getMessage());
      host.close();
      return 1;
    }
    System.out.print(Banner.of(host));
    System.out.flush();
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    host.close();
    return 0;
  }
}
