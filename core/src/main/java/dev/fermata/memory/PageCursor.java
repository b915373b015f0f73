package dev.fermata.memory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a query page ended: the last instance returned, in (createdAt, instanceId) order. Its
 * encoded form is the opaque continuation token handed to callers.
 */
record PageCursor(Instant createdAt, String instanceId) {
  private static final String VERSION = "m1";

  String encode() {
    String raw =
        VERSION + ":" + createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + instanceId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @throws IllegalArgumentException if {@code token} was not made by {@link #encode()}
   */
  static PageCursor decode(String token) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = raw.split(":", 4);
      if (parts.length != 4 || !parts[0].equals(VERSION)) {
        throw new IllegalArgumentException("wrong shape");
      }
      Instant createdAt =
          Instant.ofEpochSecond(Long.parseLong(parts[1]), Integer.parseInt(parts[2]));
      return new PageCursor(createdAt, parts[3]);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "malformed continuation token '" + token + "': not one this store issued", e);
    }
  }
}
