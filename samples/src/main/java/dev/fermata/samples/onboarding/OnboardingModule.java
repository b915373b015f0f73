package dev.fermata.samples.onboarding;

import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import java.util.Objects;

/**
 * The employee onboarding sample in the Fermata host. It needs no HTTP function of its own: its
 * orchestrators are started with the host's {@code POST /api/orchestrators/{name}}, the employee
 * (or the list) as the body.
 */
public final class OnboardingModule implements FunctionModule {
  private final OnboardingSettings settings;

  /** With the scenario's timeouts; how the launcher creates it. */
  public OnboardingModule() {
    this(OnboardingSettings.DEFAULTS);
  }

  public OnboardingModule(OnboardingSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  @Override
  public void register(FermataHost.Builder host) {
    host.engine(b -> EmployeeOnboarding.register(b, settings));
  }
}
