package dev.fermata.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.spi.HistoryCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One execution's history recorded elsewhere and read back, to replay it against the code at hand
 * ({@code Fermata.checkReplay}, {@code ./fermata replay --from}, the test kit's {@code replay}).
 *
 * <p>Two shapes are read, told apart by their keys:
 *
 * <ul>
 *   <li>what {@code ./fermata replay --export} writes: {@code {"instanceId": ..., "history":
 *       [...]}}, the events as stores keep them; replayed exactly;
 *   <li>what the HTTP API answers to {@code GET /instances/{id}?showHistory=true
 *       &showHistoryOutput=true}: the status with its {@code historyEvents} (or that array alone).
 *       That view folds each scheduled task into its answer and leaves out the episodes' starts, so
 *       the history is rebuilt from it; {@code ctx.currentTime()} then returns the time of the
 *       event that woke the code, a little earlier than the episode's own start.
 * </ul>
 *
 * @param instanceId the instance the history belongs to
 * @param events the execution's events, from its ExecutionStarted on
 */
public record RecordedHistory(String instanceId, List<HistoryEvent> events) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public RecordedHistory {
    events = List.copyOf(events);
  }

  /**
   * Reads a history file; an instance id missing from the file is taken from the file's name.
   *
   * @throws IllegalArgumentException naming the problem, if the file holds no history
   */
  public static RecordedHistory read(Path file) throws IOException {
    String name = file.getFileName().toString();
    String fallbackId = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    return parse(Files.readString(file), fallbackId);
  }

  /**
   * Reads a history from JSON text in either shape.
   *
   * @param fallbackId the instance id when the text names none (a bare array of events)
   * @throws IllegalArgumentException naming the problem, if the text holds no history
   */
  public static RecordedHistory parse(String json, String fallbackId) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !(root.isObject() || root.isArray())) {
      throw new IllegalArgumentException("not a history: expected a JSON object or array");
    }
    String instanceId = root.path("instanceId").asText(fallbackId);
    JsonNode events = root.isArray() ? root : null;
    if (root.has("history")) {
      return new RecordedHistory(instanceId, stored(root.get("history")));
    }
    if (root.has("historyEvents")) {
      events = root.get("historyEvents");
    }
    if (events == null) {
      throw new IllegalArgumentException(
          "no history in it: expected \"history\" (from ./fermata replay --export) or"
              + " \"historyEvents\" (from GET /instances/{id}?showHistory=true"
              + "&showHistoryOutput=true)");
    }
    if (!events.isEmpty() && events.get(0).has("type")) {
      return new RecordedHistory(instanceId, stored(events));
    }
    return new RecordedHistory(instanceId, HistoryEventsViewReader.read(events));
  }

  private static List<HistoryEvent> stored(JsonNode events) {
    if (!events.isArray()) {
      throw new IllegalArgumentException("\"history\" is not an array");
    }
    List<HistoryEvent> history = new ArrayList<>();
    for (JsonNode event : events) {
      history.add(HistoryCodec.decode(event.toString()));
    }
    return history;
  }
}
