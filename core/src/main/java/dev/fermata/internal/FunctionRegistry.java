package dev.fermata.internal;

import dev.fermata.Activity;
import dev.fermata.Orchestrator;
import dev.fermata.entities.EntityFunction;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The orchestrators, activities and entities an engine knows, by name (fixed once the engine is
 * built).
 */
public record FunctionRegistry(
    Map<String, Orchestrator> orchestrators,
    Map<String, Activity> activities,
    Map<String, EntityFunction> entities) {
  public FunctionRegistry {
    orchestrators = Map.copyOf(orchestrators);
    activities = Map.copyOf(activities);
    entities = Map.copyOf(entities);
  }

  public FunctionRegistry(
      Map<String, Orchestrator> orchestrators, Map<String, Activity> activities) {
    this(orchestrators, activities, Map.of());
  }

  /** The entity registered under {@code name} (compared case-insensitively), or null. */
  public EntityFunction entity(String name) {
    return entities.get(name.toLowerCase(Locale.ROOT));
  }

  /** Names of the registered entities (lowercased). */
  public Set<String> entityNames() {
    return entities.keySet();
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
