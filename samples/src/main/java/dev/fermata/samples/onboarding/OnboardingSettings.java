package dev.fermata.samples.onboarding;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the employee onboarding sample.
 *
 * @param approvalTimeout how long an equipment order that needs approval waits for {@code
 *     ApprovalRequest} before it is declined
 */
public record OnboardingSettings(Duration approvalTimeout) {
  /** The values of the original scenario: 90 seconds for the approval. */
  public static final OnboardingSettings DEFAULTS = new OnboardingSettings(Duration.ofSeconds(90));

  public OnboardingSettings {
    Objects.requireNonNull(approvalTimeout, "approvalTimeout");
    if (approvalTimeout.isNegative() || approvalTimeout.isZero()) {
      throw new IllegalArgumentException(
          "approvalTimeout must be positive, got " + approvalTimeout);
    }
  }
}
