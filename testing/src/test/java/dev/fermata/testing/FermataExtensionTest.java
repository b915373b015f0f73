package dev.fermata.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.InstanceQuery;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FermataExtensionTest {
  @RegisterExtension
  final FermataExtension fermata =
      FermataExtension.of(
          env ->
              env.functions(
                  b ->
                      b.orchestrator(
                          "Nap",
                          ctx -> {
                            ctx.createTimer(Duration.ofHours(8)).await();
                            return "rested";
                          })));

  @Test
  void eachTestGetsAnEnvironment_throughTheExtension() {
    String id = fermata.env().client().scheduleNew("Nap", null);
    assertThat(fermata.env().waitForCompletion(id).getSerializedOutput()).isEqualTo("\"rested\"");
  }

  @Test
  void orAsAParameter_startingEmpty(FermataTestEnvironment env) {
    assertThat(env).isSameAs(fermata.env());
    assertThat(env.client().query(InstanceQuery.all()).instances()).isEmpty();
  }
}
