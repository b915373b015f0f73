package dev.fermata.host;

import static dev.fermata.host.HostTestSupport.get;
import static dev.fermata.host.HostTestSupport.json;
import static dev.fermata.host.HostTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.durabletask.DurableTaskClient;
import com.microsoft.durabletask.DurableTaskGrpcClientBuilder;
import com.microsoft.durabletask.DurableTaskGrpcWorker;
import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import com.microsoft.durabletask.TaskActivity;
import com.microsoft.durabletask.TaskActivityFactory;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.TaskOrchestrationFactory;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host serving the Durable Task sidecar protocol next to its HTTP API: an SDK worker runs the
 * code, and the instances it runs are the host's, seen and controlled over HTTP as well.
 */
class SidecarHostTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void sdkInstances_areVisibleAndControllableOverHttp() throws Exception {
    HostConfig config = HostTestSupport.config(dir.resolve("host.db")).withGrpcPort(0);
    try (FermataHost host = FermataHost.builder(config).build().start();
        DurableTaskGrpcWorker worker = worker(host.grpcPort().orElseThrow(), null);
        DurableTaskClient client =
            new DurableTaskGrpcClientBuilder().port(host.grpcPort().orElseThrow()).build()) {
      worker.start();

      // Started by the SDK, read over HTTP.
      String id = client.scheduleNewOrchestrationInstance("Greet", "Ana");
      assertThat(client.waitForInstanceCompletion(id, WAIT, true).readOutputAs(String.class))
          .isEqualTo("Hello, Ana!");
      JsonNode status = json(get(host.baseUrl() + "/runtime/webhooks/durabletask/instances/" + id));
      assertThat(status.get("runtimeStatus").asText()).isEqualTo("Completed");
      assertThat(status.get("output").asText()).isEqualTo("Hello, Ana!");

      // Started over HTTP, run by the SDK's worker, waited for by the SDK's client.
      JsonNode started = json(post(host.baseUrl() + "/api/orchestrators/Greet", "\"Ben\""));
      String fromHttp = started.get("id").asText();
      assertThat(client.waitForInstanceCompletion(fromHttp, WAIT, true).readOutputAs(String.class))
          .isEqualTo("Hello, Ben!");

      // Terminated over HTTP while the SDK's code waits.
      String waiting = client.scheduleNewOrchestrationInstance("WaitForever");
      client.waitForInstanceStart(waiting, WAIT);
      assertThat(
              post(
                      host.baseUrl()
                          + "/runtime/webhooks/durabletask/instances/"
                          + waiting
                          + "/terminate?reason=enough",
                      "")
                  .statusCode())
          .isEqualTo(202);
      OrchestrationMetadata terminated = client.waitForInstanceCompletion(waiting, WAIT, true);
      assertThat(terminated.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
    }
  }

  @Test
  void managementKey_guardsTheSidecarToo() throws Exception {
    HostConfig config =
        HostTestSupport.config(dir.resolve("host.db")).withGrpcPort(0).withManagementKey("s3cret");
    try (FermataHost host = FermataHost.builder(config).build().start()) {
      int port = host.grpcPort().orElseThrow();
      ManagedChannel anonymous =
          ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try (DurableTaskClient client =
          new DurableTaskGrpcClientBuilder().grpcChannel(anonymous).build()) {
        assertThatThrownBy(() -> client.scheduleNewOrchestrationInstance("Greet", "Ana"))
            .isInstanceOf(StatusRuntimeException.class)
            .hasMessageContaining("UNAUTHENTICATED")
            .hasMessageContaining("management key");
      } finally {
        anonymous.shutdownNow();
      }

      Metadata key = new Metadata();
      key.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer s3cret");
      ManagedChannel withKey =
          ManagedChannelBuilder.forAddress("127.0.0.1", port)
              .usePlaintext()
              .intercept(MetadataUtils.newAttachHeadersInterceptor(key))
              .build();
      try (DurableTaskGrpcWorker worker = worker(port, withKey);
          DurableTaskClient client =
              new DurableTaskGrpcClientBuilder().grpcChannel(withKey).build()) {
        worker.start();
        String id = client.scheduleNewOrchestrationInstance("Greet", "Cy");
        assertThat(client.waitForInstanceCompletion(id, WAIT, true).readOutputAs(String.class))
            .isEqualTo("Hello, Cy!");
      } finally {
        withKey.shutdownNow();
      }
    }
  }

  private static DurableTaskGrpcWorker worker(int port, ManagedChannel channel) {
    DurableTaskGrpcWorkerBuilder builder = new DurableTaskGrpcWorkerBuilder();
    if (channel != null) {
      builder.grpcChannel(channel);
    } else {
      builder.port(port);
    }
    return builder
        .addOrchestration(
            orchestration(
                "Greet",
                ctx ->
                    ctx.complete(
                        ctx.callActivity("SayHello", ctx.getInput(String.class), String.class)
                            .await())))
        .addOrchestration(
            orchestration("WaitForever", ctx -> ctx.waitForExternalEvent("Never").await()))
        .addActivity(activity("SayHello", ctx -> "Hello, " + ctx.getInput(String.class) + "!"))
        .build();
  }

  private static TaskOrchestrationFactory orchestration(String name, TaskOrchestration body) {
    return new TaskOrchestrationFactory() {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public TaskOrchestration create() {
        return body;
      }
    };
  }

  private static TaskActivityFactory activity(String name, TaskActivity body) {
    return new TaskActivityFactory() {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public TaskActivity create() {
        return body;
      }
    };
  }
}
