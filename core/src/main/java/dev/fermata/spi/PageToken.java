package dev.fermata.spi;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a query page ended, for stores that page by (creation time in milliseconds, instance id):
 * the last row returned. Its encoded form is the opaque continuation token handed to callers; the
 * tag names the store that issued it, so a token from another store is refused rather than misread.
 */
public record PageToken(long createdAtMillis, String instanceId) {

  /** The continuation token, tagged with the issuing store's {@code tag} (no ':' in it). */
  public String encode(String tag) {
    String raw = tag + ":" + createdAtMillis + ":" + instanceId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @throws IllegalArgumentException if {@code token} was not made by {@link #encode} with {@code
   *     tag}
   */
  public static PageToken decode(String token, String tag) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = raw.split(":", 3);
      if (parts.length != 3 || !parts[0].equals(tag)) {
        throw new IllegalArgumentException("wrong shape");
      }
      return new PageToken(Long.parseLong(parts[1]), parts[2]);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "malformed continuation token '" + token + "': not one this store issued", e);
    }
  }
}
