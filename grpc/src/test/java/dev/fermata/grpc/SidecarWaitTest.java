package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.grpc.protocol.OrchestratorService.CreateInstanceRequest;
import dev.fermata.grpc.protocol.OrchestratorService.GetInstanceRequest;
import dev.fermata.grpc.protocol.OrchestratorService.GetInstanceResponse;
import dev.fermata.grpc.protocol.TaskHubSidecarServiceGrpc;
import dev.fermata.internal.client.ClientImpl;
import dev.fermata.sqlite.SqliteStore;
import dev.fermata.testsupport.Poll;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long polls end with their caller: a wait nobody reads any more does not hold on. */
class SidecarWaitTest {
  @TempDir Path dir;

  @Test
  void aCancelledWait_stopsWaitingInTheEngine() throws Exception {
    SidecarWorkItems work = new SidecarWorkItems(InstantSource.system());
    try (Fermata engine =
            Fermata.builder()
                .store(SqliteStore.open(dir.resolve("wait.db")))
                .remoteWorkers(work)
                .build()
                .start();
        SidecarServer sidecar = SidecarServer.start(engine, work, "127.0.0.1", 0, null)) {
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
      try {
        var stub = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
        // No worker runs it: it stays Pending, and a wait for its completion lasts.
        String id =
            stub.startInstance(CreateInstanceRequest.newBuilder().setName("Nobody").build())
                .getInstanceId();
        ClientImpl client = (ClientImpl) engine.client();
        Context.CancellableContext call = Context.current().withCancellation();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        call.run(
            () ->
                TaskHubSidecarServiceGrpc.newStub(channel)
                    .waitForInstanceCompletion(
                        GetInstanceRequest.newBuilder().setInstanceId(id).build(),
                        new StreamObserver<GetInstanceResponse>() {
                          @Override
                          public void onNext(GetInstanceResponse value) {}

                          @Override
                          public void onError(Throwable t) {
                            ended.complete(t);
                          }

                          @Override
                          public void onCompleted() {
                            ended.complete(null);
                          }
                        }));
        Poll.until("the engine waits for the instance", () -> client.watchedInstances() == 1);
        call.cancel(null);
        assertThat(ended.get(30, TimeUnit.SECONDS)).hasMessageContaining("CANCELLED");
        Poll.until("the engine no longer waits", () -> client.watchedInstances() == 0);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
