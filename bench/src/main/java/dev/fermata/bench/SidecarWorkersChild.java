package dev.fermata.bench;

import com.microsoft.durabletask.DurableTaskGrpcWorker;
import java.util.ArrayList;
import java.util.List;

/**
 * The W1SP child: durabletask-java SDK workers running W1's orchestration and activity against the
 * sidecar on {@code PORT}, in a process of their own, as they are deployed. Runs until its parent
 * ends it.
 *
 * <p>Usage: {@code SidecarWorkersChild PORT WORKERS}.
 */
public final class SidecarWorkersChild {
  private SidecarWorkersChild() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int count = Integer.parseInt(args[1]);
    List<DurableTaskGrpcWorker> workers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      DurableTaskGrpcWorker worker = SidecarBench.sdkWorker(port);
      worker.start();
      workers.add(worker);
    }
    // The parent closes this process's input when the run is over.
    while (System.in.read() >= 0) {
      // nothing is sent
    }
    workers.forEach(DurableTaskGrpcWorker::close);
    System.exit(0); // the SDK's worker threads would keep the process alive
  }
}
