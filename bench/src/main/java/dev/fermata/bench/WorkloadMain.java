package dev.fermata.bench;

/**
 * Runs one workload on one system in this JVM and prints its figures as JSON lines on standard
 * output. {@link BenchRunner} starts one JVM per workload and system.
 *
 * <p>Usage: {@code WorkloadMain WORKLOAD SYSTEM SCALE}, for example {@code W1 fermata-sqlite 1.0}.
 */
public final class WorkloadMain {
  private WorkloadMain() {}

  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: WorkloadMain WORKLOAD SYSTEM SCALE");
      System.exit(2);
    }
    String workload = args[0];
    BenchSystem system = BenchSystem.fromLabel(args[1]);
    Params params = Params.scaled(Double.parseDouble(args[2]));
    new Workloads(
            system,
            params,
            fig -> {
              System.out.println(fig.toJson());
              System.out.flush();
            })
        .run(workload);
    // Engine threads are stopped by close(); exit explicitly in case a library left one behind.
    System.exit(0);
  }
}
