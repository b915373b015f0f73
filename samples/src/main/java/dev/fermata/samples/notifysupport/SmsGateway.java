package dev.fermata.samples.notifysupport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated SMS gateway: it delivers nothing; it logs and keeps every message it was asked to
 * send.
 */
public final class SmsGateway {
  private static final Logger log = LoggerFactory.getLogger(SmsGateway.class);

  /** One message as the gateway received it. */
  public record Sms(String phoneNumber, String text, Instant sentAt) {}

  private final List<Sms> sent = new ArrayList<>();

  public synchronized void send(String phoneNumber, String text) {
    sent.add(new Sms(phoneNumber, text, Instant.now()));
    log.info("SMS to {}: {}", phoneNumber, text);
  }

  /** Every message so far, oldest first. */
  public synchronized List<Sms> sent() {
    return List.copyOf(sent);
  }

  /** The messages sent to one number, oldest first. */
  public synchronized List<Sms> sentTo(String phoneNumber) {
    return sent.stream().filter(sms -> sms.phoneNumber().equals(phoneNumber)).toList();
  }
}
