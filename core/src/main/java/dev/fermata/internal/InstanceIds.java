package dev.fermata.internal;

import java.util.UUID;

/** The rules for instance ids, as in Durable Functions. */
public final class InstanceIds {
  public static final int MAX_LENGTH = 256;

  private InstanceIds() {}

  /** A new random id: 32 hex digits. */
  public static String generate() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * Checks an id given by a user.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static String validate(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("An instance id must not be empty");
    }
    if (id.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "An instance id may have at most " + MAX_LENGTH + " characters, got " + id.length());
    }
    if (id.startsWith("@")) {
      throw new IllegalArgumentException(
          "An instance id must not start with '@' (reserved for entities): '" + id + "'");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '/' || c == '\\' || c == '#' || c == '?' || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "An instance id must not contain '/', '\\', '#', '?' or control characters; '"
                + printable(id)
                + "' has "
                + (Character.isISOControl(c) ? "a control character" : "'" + c + "'")
                + " at position "
                + i);
      }
    }
    return id;
  }

  private static String printable(String id) {
    StringBuilder sb = new StringBuilder();
    for (char c : id.toCharArray()) {
      sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : c);
    }
    return sb.toString();
  }
}
