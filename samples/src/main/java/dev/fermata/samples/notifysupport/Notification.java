package dev.fermata.samples.notifysupport;

/**
 * The input of {@code SendNotificationOrchestrator}: whom to notify, and which notification of
 * theirs this is (from 1).
 */
public record Notification(SupportContact contact, int attempt) {}
