package dev.fermata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.grpc.protocol.TaskHubSidecarServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.List;
import org.junit.jupiter.api.Test;

class SidecarServerTest {
  private static List<MethodDescriptor<?, ?>> methods() {
    return TaskHubSidecarServiceGrpc.getServiceDescriptor().getMethods().stream()
        .<MethodDescriptor<?, ?>>map(m -> m)
        .toList();
  }

  @Test
  void everyWorkerAnswer_andNothingElse_runsWhereItIsRead() {
    // Answers never block; every other call may wait (for an instance, a page, a stream).
    for (MethodDescriptor<?, ?> m : methods()) {
      String name = m.getBareMethodName();
      boolean answer = name.startsWith("Complete") || name.startsWith("Abandon");
      assertThat(SidecarServer.runsInPlace(m.getFullMethodName())).as(name).isEqualTo(answer);
    }
    assertThat(methods())
        .filteredOn(m -> SidecarServer.runsInPlace(m.getFullMethodName()))
        .hasSize(6);
  }
}
