package dev.fermata.grpc;

import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.TaskActivity;
import com.microsoft.durabletask.TaskActivityFactory;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.TaskOrchestrationFactory;
import java.util.Map;

/** Starts durabletask-java workers whose functions are given as lambdas, by name. */
final class SdkWorkers {
  private SdkWorkers() {}

  /** A started worker connected to the sidecar on {@code port} of the loopback address. */
  static DurableTaskGrpcWorker start(
      int port,
      Map<String, TaskOrchestration> orchestrations,
      Map<String, TaskActivity> activities) {
    DurableTaskGrpcWorkerBuilder builder = new DurableTaskGrpcWorkerBuilder().port(port);
    orchestrations.forEach(
        (name, body) ->
            builder.addOrchestration(
                new TaskOrchestrationFactory() {
                  @Override
                  public String getName() {
                    return name;
                  }

                  @Override
                  public TaskOrchestration create() {
                    return body;
                  }
                }));
    activities.forEach(
        (name, body) ->
            builder.addActivity(
                new TaskActivityFactory() {
                  @Override
                  public String getName() {
                    return name;
                  }

                  @Override
                  public TaskActivity create() {
                    return body;
                  }
                }));
    DurableTaskGrpcWorker worker = builder.build();
    worker.start();
    return worker;
  }
}
