package dev.fermata.samples.onboarding;

import java.util.List;

/** The input of {@code ParallelOnboardingOrchestrator}: {@code {"employees2onboard": [...]}}. */
public record OnboardingRequest(List<Employee> employees2onboard) {}
