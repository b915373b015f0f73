package dev.fermata.entities;

import java.util.Objects;

/**
 * Names one durable entity: an entity name (case-insensitive, kept lowercased) and a key
 * (case-sensitive). Its text form, {@code @name@key}, is also the entity's instance id.
 *
 * @param name the entity name, lowercased; not empty, without {@code @}
 * @param key the key; may be empty, may contain any character
 */
public record EntityId(String name, String key) implements Comparable<EntityId> {
  public EntityId {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(key, "key");
    if (name.isBlank()) {
      throw new IllegalArgumentException("An entity name must not be empty");
    }
    if (name.indexOf('@') >= 0) {
      throw new IllegalArgumentException("An entity name must not contain '@': '" + name + "'");
    }
    name = name.toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses the text form {@code @name@key}. */
  public static EntityId parse(String text) {
    Objects.requireNonNull(text, "text");
    int second = text.indexOf('@', 1);
    if (!text.startsWith("@") || second < 0) {
      throw new IllegalArgumentException("An entity id has the form @name@key, got '" + text + "'");
    }
    return new EntityId(text.substring(1, second), text.substring(second + 1));
  }

  /** The text form {@code @name@key}, which is also the entity's instance id. */
  @Override
  public String toString() {
    return "@" + name + "@" + key;
  }

  /** Orders by name, then key: the global order in which locks are taken. */
  @Override
  public int compareTo(EntityId other) {
    int byName = name.compareTo(other.name);
    return byName != 0 ? byName : key.compareTo(other.key);
  }
}
