package dev.fermata.grpc;

import dev.fermata.Fermata;
import dev.fermata.grpc.protocol.TaskHubSidecarServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves the Durable Task sidecar protocol ({@code TaskHubSidecarService}) for an engine, so that
 * the Durable Task SDKs (Java, JavaScript, Python, .NET, Go) run their orchestrations and
 * activities on it. Plaintext HTTP/2 (h2c), as the SDKs use for a local sidecar.
 *
 * <p>Use: create the {@link SidecarWorkItems}, give them to the engine's builder ({@link
 * Fermata.Builder#remoteWorkers}), build the engine, then {@link #start} the server. Calls run on
 * virtual threads, since the waits block; the workers' answers run in place ({@link
 * #answersInPlace}).
 */
public final class SidecarServer implements AutoCloseable {
  /** The workers' answers: calls that run where gRPC reads them (see {@link #answersInPlace}). */
  private static final Set<String> ANSWERS =
      Set.of(
          TaskHubSidecarServiceGrpc.getCompleteOrchestratorTaskMethod().getFullMethodName(),
          TaskHubSidecarServiceGrpc.getCompleteActivityTaskMethod().getFullMethodName(),
          TaskHubSidecarServiceGrpc.getCompleteEntityTaskMethod().getFullMethodName(),
          TaskHubSidecarServiceGrpc.getAbandonTaskOrchestratorWorkItemMethod().getFullMethodName(),
          TaskHubSidecarServiceGrpc.getAbandonTaskActivityWorkItemMethod().getFullMethodName(),
          TaskHubSidecarServiceGrpc.getAbandonTaskEntityWorkItemMethod().getFullMethodName());

  private final Server server;
  private final SidecarWorkItems workItems;
  private final ExecutorService executor;

  private SidecarServer(Server server, SidecarWorkItems workItems, ExecutorService executor) {
    this.server = server;
    this.workItems = workItems;
    this.executor = executor;
  }

  /**
   * Starts serving.
   *
   * @param bindAddress the address to listen on, such as {@code 127.0.0.1}
   * @param port the port, or 0 for any free one (see {@link #port})
   * @param managementKey when not null, every call must carry it (see {@link ManagementKeyCheck})
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static SidecarServer start(
      Fermata engine,
      SidecarWorkItems workItems,
      String bindAddress,
      int port,
      String managementKey) {
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    var service = new SidecarService(engine.client(), workItems);
    var builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, port))
            .executor(executor)
            .callExecutor(SidecarServer::answersInPlace)
            // Worker streams stay open for hours with little traffic: let clients keep them alive.
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .maxInboundMessageSize(16 * 1024 * 1024);
    builder.addService(
        managementKey == null
            ? service.bindService()
            : ServerInterceptors.intercept(service, new ManagementKeyCheck(managementKey)));
    Server server = builder.build();
    try {
      server.start();
    } catch (IOException e) {
      executor.close();
      throw new UncheckedIOException(
          "Cannot serve the Durable Task sidecar on " + bindAddress + ":" + port, e);
    }
    return new SidecarServer(server, workItems, executor);
  }

  /**
   * Workers' answers (complete and abandon) run on the network thread that read them: they only
   * match the answer to its waiting item and send the next ones, never block, and a hop to a
   * virtual thread would cost more than they do. Every other call keeps the server's executor.
   */
  private static Executor answersInPlace(ServerCall<?, ?> call, Metadata headers) {
    return runsInPlace(call.getMethodDescriptor().getFullMethodName()) ? Runnable::run : null;
  }

  static boolean runsInPlace(String fullMethodName) {
    return ANSWERS.contains(fullMethodName);
  }

  /** The port served (the one picked when started with 0). */
  public int port() {
    return server.getPort();
  }

  /** Worker streams connected now. */
  public int connectedWorkers() {
    return workItems.streamCount();
  }

  /** How many items each connected worker was sent so far. */
  List<Integer> itemsSentPerWorker() {
    return workItems.itemsSentPerStream();
  }

  /**
   * Stops serving: worker streams end and the work they held is handed out again once workers
   * reconnect (to this host after a restart, or to another on PostgreSQL).
   */
  @Override
  public void close() {
    workItems.close();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow(); // calls still waiting for an instance end here
  }
}
