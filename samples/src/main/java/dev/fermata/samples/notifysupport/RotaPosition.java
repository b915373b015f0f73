package dev.fermata.samples.notifysupport;

import java.util.List;

/**
 * The input of each execution of {@code NotifySupportOrchestrator} after the first: the rota, read
 * once, and the contact this execution notifies.
 */
public record RotaPosition(List<SupportContact> contacts, int index) {}
