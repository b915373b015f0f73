package dev.fermata.postgres;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a query page ended: the last row's (created_at, instance_id). Its encoded form is the
 * opaque continuation token handed to callers.
 */
record PageToken(long createdAtMillis, String instanceId) {
  private static final String VERSION = "p1";

  String encode() {
    String raw = VERSION + ":" + createdAtMillis + ":" + instanceId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @throws IllegalArgumentException if {@code token} was not made by {@link #encode()}
   */
  static PageToken decode(String token) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = raw.split(":", 3);
      if (parts.length != 3 || !parts[0].equals(VERSION)) {
        throw new IllegalArgumentException("wrong shape");
      }
      return new PageToken(Long.parseLong(parts[1]), parts[2]);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "malformed continuation token '" + token + "': not one this store issued", e);
    }
  }
}
