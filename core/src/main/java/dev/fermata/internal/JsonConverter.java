package dev.fermata.internal;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.fermata.PayloadException;

/**
 * Turns user values into the JSON text that is stored, and back. One instance per engine, built
 * from the user's ObjectMapper if they gave one.
 */
public final class JsonConverter {
  private final ObjectMapper mapper;
  private final int maxPayloadChars;

  public JsonConverter(ObjectMapper mapper, int maxPayloadChars) {
    this.mapper = mapper;
    this.maxPayloadChars = maxPayloadChars;
  }

  /**
   * A converter with the same settings that reads and writes objects by their fields (any
   * visibility) rather than their getters: the state of class-based entities is their fields.
   */
  public JsonConverter byFields() {
    ObjectMapper fields =
        mapper
            .copy()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    return new JsonConverter(fields, maxPayloadChars);
  }

  /** The mapper Fermata uses when the user gives none: java.time support, ISO dates. */
  public static ObjectMapper defaultMapper() {
    return new ObjectMapper(
            JsonFactory.builder()
                .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                .build())
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  public static JsonConverter withDefaults() {
    return new JsonConverter(defaultMapper(), 16 * 1024 * 1024);
  }

  /**
   * JSON for {@code value} (null stays null).
   *
   * @param what names the value in errors, for example "input of activity 'Charge'"
   */
  public String serialize(Object value, String what) {
    if (value == null) {
      return null;
    }
    String json;
    try {
      json = mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new PayloadException(
          "Cannot convert the "
              + what
              + " (a "
              + value.getClass().getName()
              + ") to JSON: "
              + e.getOriginalMessage(),
          e);
    }
    if (json.length() > maxPayloadChars) {
      throw new PayloadException(
          "The "
              + what
              + " is "
              + json.length()
              + " characters of JSON, over the limit of "
              + maxPayloadChars,
          null);
    }
    return json;
  }

  /** The value of {@code json} as {@code type} (null JSON or text gives null). */
  public <T> T deserialize(String json, Class<T> type, String what) {
    if (json == null || type == Void.class) {
      return null;
    }
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new PayloadException(
          "Cannot read the "
              + what
              + " as "
              + type.getName()
              + ": "
              + e.getOriginalMessage()
              + " (JSON: "
              + abbreviate(json)
              + ")",
          e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }
}
