package dev.fermata.sqlite;

import dev.fermata.history.HistoryEvent;
import dev.fermata.spi.HistoryCodec;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The JSON of the events a write stores. Encoding is CPU work, and the single writer thread is the
 * store's bottleneck, so the hot writes (checkpoints, activity results) encode their events on the
 * calling thread before they are queued; other writes encode as they run.
 */
interface EventJson {
  String of(HistoryEvent event);

  /** Encodes on the writer thread, as the event is stored. */
  EventJson INLINE = HistoryCodec::encode;

  /** Encodes {@code events} now, on the calling thread; any other event is encoded inline. */
  static EventJson encodeNow(Iterable<HistoryEvent> events) {
    Map<HistoryEvent, String> encoded = new IdentityHashMap<>();
    for (HistoryEvent event : events) {
      encoded.put(event, HistoryCodec.encode(event));
    }
    return event -> {
      String json = encoded.get(event);
      return json != null ? json : HistoryCodec.encode(event);
    };
  }
}
