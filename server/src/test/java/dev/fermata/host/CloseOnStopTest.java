package dev.fermata.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloseOnStopTest {
  @TempDir Path dir;

  @Test
  void resourcesCloseWithTheHost_inReverseOrder_evenWhenOneFails() {
    List<String> closed = new ArrayList<>();
    FermataHost host =
        FermataHost.builder(HostTestSupport.config(dir.resolve("h.db")))
            .closeOnStop(() -> closed.add("first"))
            .closeOnStop(
                () -> {
                  closed.add("failing");
                  throw new IllegalStateException("cannot close");
                })
            .closeOnStop(() -> closed.add("last"))
            .build()
            .start();
    assertThat(closed).isEmpty();

    host.close();
    host.close(); // a second close does nothing

    assertThat(closed).containsExactly("last", "failing", "first");
  }
}
