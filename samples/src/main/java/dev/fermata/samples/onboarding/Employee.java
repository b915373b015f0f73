package dev.fermata.samples.onboarding;

/**
 * A new employee, as the onboarding requests carry them (field names as in the scenario's JSON).
 */
public record Employee(String name, String email, String startdate, String role) {}
