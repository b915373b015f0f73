package dev.fermata.internal.replay;

import dev.fermata.PayloadException;

/** A wait for an external event by name. */
final class EventWait<T> extends TaskImpl<T> {
  private final String name;
  private final Class<T> type;

  EventWait(OrchestrationRunner runner, String name, Class<T> type) {
    super(runner);
    this.name = name;
    this.type = type;
  }

  String name() {
    return name;
  }

  void deliver(String json) {
    try {
      complete(runner.json().deserialize(json, type, "payload of event '" + name + "'"));
    } catch (PayloadException e) {
      fail(e);
    }
  }

  @Override
  protected void onCancel() {
    runner.events().removeWaiter(this);
  }

  @Override
  String describe() {
    return "wait for event '" + name + "'";
  }
}
