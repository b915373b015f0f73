package dev.fermata.samples.onboarding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.testing.FermataExtension;
import dev.fermata.testing.FermataTestEnvironment;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scenario's own 90-second approval window, in virtual time. */
class OnboardingVirtualTimeTest {
  private static final Employee DANIEL =
      new Employee("Daniel LaRusso", "daniel.larusso@miyagido.com", "15.02.2022", "sales");

  @RegisterExtension
  final FermataExtension fermata =
      FermataExtension.of(
          env -> env.functions(b -> EmployeeOnboarding.register(b, OnboardingSettings.DEFAULTS)));

  @Test
  void withoutAnApproval_theOrderIsDeclinedAfterNinetySeconds(FermataTestEnvironment env) {
    Instant start = env.now();
    String id = env.client().scheduleNew(EmployeeOnboarding.ONBOARDING_WITH_APPROVAL, DANIEL);

    assertThat(env.waitForCompletion(id).readOutputAs(String.class))
        .isEqualTo("Order was declined");
    assertThat(env.now()).isEqualTo(start.plusSeconds(90));
  }

  @Test
  void anApprovalAtEightyNineSeconds_ordersTheEquipment(FermataTestEnvironment env) {
    String id = env.client().scheduleNew(EmployeeOnboarding.ONBOARDING_WITH_APPROVAL, DANIEL);
    env.raiseEventAfter(
        Duration.ofSeconds(89), id, EmployeeOnboarding.APPROVAL_EVENT, EmployeeOnboarding.APPROVED);

    assertThat(env.waitForCompletion(id).readOutputAs(String.class))
        .isEqualTo("Role specific IT equipment (role: sales) was ordered for Daniel LaRusso.");
  }
}
