package dev.fermata.samples.notifysupport;

/** Someone on the support rota, reached by SMS. */
public record SupportContact(String name, String phoneNumber) {}
