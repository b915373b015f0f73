package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.Fermata;
import dev.fermata.grpc.protocol.OrchestratorService.CreateInstanceRequest;
import dev.fermata.grpc.protocol.OrchestratorService.GetInstanceRequest;
import dev.fermata.grpc.protocol.OrchestratorService.GetInstanceResponse;
import dev.fermata.grpc.protocol.OrchestratorService.TraceContext;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls from a bare gRPC client, with no worker connected: long polls end with their caller (a wait
 * nobody reads any more does not hold on), and a caller's trace reaches the instance.
 */
class SidecarWaitTest {
  @TempDir Path dir;

  private Fermata engine;
  private SidecarServer sidecar;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    SidecarWorkItems work = new SidecarWorkItems(InstantSource.system());
    engine =
        Fermata.builder()
            .store(SqliteStore.open(dir.resolve("sidecar.db")))
            .remoteWorkers(work)
            .build()
            .start();
    sidecar = SidecarServer.start(engine, work, "127.0.0.1", 0, null);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    sidecar.close();
    engine.close();
  }

  @Test
  void anInstanceStartedWithACallersTrace_isStoredInIt() {
    String traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    var stub = TaskHubSidecarServiceGrpc.newBlockingStub(channel);
    String traced =
        stub.startInstance(
                CreateInstanceRequest.newBuilder()
                    .setName("Nobody")
                    .setParentTraceContext(
                        TraceContext.newBuilder()
                            .setTraceParent(traceParent)
                            .setSpanID("00f067aa0ba902b7"))
                    .build())
            .getInstanceId();
    String untraced =
        stub.startInstance(CreateInstanceRequest.newBuilder().setName("Nobody").build())
            .getInstanceId();

    // No spans are recorded here: the caller's span is what the instance carries on.
    assertThat(engine.store().getInstance(traced).orElseThrow().traceParent())
        .isEqualTo(traceParent);
    assertThat(engine.store().getInstance(untraced).orElseThrow().traceParent()).isNull();
  }

  @Test
  void aCancelledWait_stopsWaitingInTheEngine() throws Exception {
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
  }
}
