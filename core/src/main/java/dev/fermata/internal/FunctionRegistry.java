package dev.fermata.internal;

import dev.fermata.Activity;
import dev.fermata.Orchestrator;
import java.util.Map;
import java.util.Set;

/** The orchestrators and activities an engine knows, by name (fixed once the engine is built). */
public record FunctionRegistry(
    Map<String, Orchestrator> orchestrators, Map<String, Activity> activities) {
  public FunctionRegistry {
    orchestrators = Map.copyOf(orchestrators);
    activities = Map.copyOf(activities);
  }

  public Orchestrator orchestrator(String name) {
    return orchestrators.get(name);
  }

  public Activity activity(String name) {
    return activities.get(name);
  }

  public Set<String> orchestratorNames() {
    return orchestrators.keySet();
  }

  public Set<String> activityNames() {
    return activities.keySet();
  }
}
