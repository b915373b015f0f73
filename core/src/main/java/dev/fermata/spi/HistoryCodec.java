package dev.fermata.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.fermata.FailureDetails;
import dev.fermata.history.HistoryEvent;

/**
 * The JSON form in which stores persist history events, inbox messages and failures: {@code
 * {"type":"TaskScheduled", ...the record's fields}}. One codec for every store keeps their rows
 * interchangeable.
 *
 * <p>Databases in the field hold this form, so it does not change: the {@code type} tags come from
 * {@link EventTags}, not from class names, and golden files in core's tests pin every event kind's
 * JSON, field names and order included.
 */
public final class HistoryCodec {
  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                  .build())
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private HistoryCodec() {}

  public static String encode(HistoryEvent event) {
    // The record's own JSON with the tag put first: one pass, no tree (this runs for every event a
    // checkpoint writes). Tags are plain identifiers, and no event has a field named "type".
    String fields;
    try {
      fields = MAPPER.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode history event " + event.eventType(), e);
    }
    String tagged = "{\"type\":\"" + EventTags.of(event) + "\"";
    return fields.length() == 2 ? tagged + "}" : tagged + "," + fields.substring(1);
  }

  /**
   * Decodes an event.
   *
   * @throws CorruptRecordException if the text is not a history event this version understands
   */
  public static HistoryEvent decode(String json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      String type = node == null || !node.hasNonNull("type") ? null : node.get("type").asText();
      Class<? extends HistoryEvent> cls = type == null ? null : EventTags.kind(type);
      if (cls == null) {
        throw new CorruptRecordException(
            "unknown history event type '" + type + "' in " + abbreviate(json));
      }
      return MAPPER.treeToValue(node, cls);
    } catch (JsonProcessingException e) {
      throw new CorruptRecordException(
          "unreadable history event " + abbreviate(json) + ": " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CorruptRecordException(
          "unreadable history event " + abbreviate(json) + ": " + e.getMessage(), e);
    }
  }

  public static String encodeFailure(FailureDetails failure) {
    return failure == null ? null : MAPPER.valueToTree(failure).toString();
  }

  public static FailureDetails decodeFailure(String json) {
    if (json == null) {
      return null;
    }
    try {
      return MAPPER.readValue(json, FailureDetails.class);
    } catch (JsonProcessingException e) {
      throw new CorruptRecordException("unreadable failure details " + abbreviate(json), e);
    }
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
