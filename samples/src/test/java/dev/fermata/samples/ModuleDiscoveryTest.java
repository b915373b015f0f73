package dev.fermata.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.host.FunctionModule;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The launcher finds modules with ServiceLoader: every sample must be listed for it. */
class ModuleDiscoveryTest {
  @Test
  void everySampleAndTheDemoAreFoundOnTheClassPath() {
    assertThat(
            ServiceLoader.load(FunctionModule.class).stream()
                .map(provider -> provider.type().getSimpleName()))
        .containsExactlyInAnyOrder(
            "Demo",
            "WarehouseModule",
            "OnboardingModule",
            "RetryCallbackModule",
            "NotifySupportModule",
            "BillingModule",
            "CounterModule");
  }
}
