package dev.fermata.internal.replay;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * External events of one execution: events that arrived before anybody waited (kept in arrival
 * order), and pending waits per name. An event goes to the most recent pending wait for its name,
 * so a wait abandoned in an anyOf does not swallow it. Names compare case-insensitively.
 */
final class ExternalEvents {
  /** An event nobody has taken yet. */
  record Buffered(String name, String json) {}

  private final List<Buffered> buffered = new ArrayList<>();
  private final Map<String, ArrayDeque<EventWait<?>>> waiters = new HashMap<>();

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  void arrived(String name, String json) {
    ArrayDeque<EventWait<?>> stack = waiters.get(key(name));
    if (stack != null && !stack.isEmpty()) {
      stack.pollLast().deliver(json);
    } else {
      buffered.add(new Buffered(name, json));
    }
  }

  /** Gives {@code wait} the oldest buffered event of its name, or registers it as pending. */
  void await(EventWait<?> wait) {
    String k = key(wait.name());
    for (Iterator<Buffered> it = buffered.iterator(); it.hasNext(); ) {
      Buffered b = it.next();
      if (key(b.name()).equals(k)) {
        it.remove();
        wait.deliver(b.json());
        return;
      }
    }
    waiters.computeIfAbsent(k, x -> new ArrayDeque<>()).addLast(wait);
  }

  void removeWaiter(EventWait<?> wait) {
    ArrayDeque<EventWait<?>> stack = waiters.get(key(wait.name()));
    if (stack != null) {
      stack.remove(wait);
    }
  }

  /** Events that arrived and were never consumed, in arrival order. */
  List<Buffered> unconsumed() {
    return List.copyOf(buffered);
  }
}
