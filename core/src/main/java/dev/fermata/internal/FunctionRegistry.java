package dev.fermata.internal;

import dev.fermata.Activity;
import dev.fermata.Orchestrator;
import dev.fermata.entities.EntityFunction;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The orchestrators, activities and entities an engine knows, by name (fixed once the engine is
 * built), and whether remote workers run the ones it does not know ({@code remoteWorkers}).
 */
public record FunctionRegistry(
    Map<String, Orchestrator> orchestrators,
    Map<String, Activity> activities,
    Map<String, EntityFunction> entities,
    boolean remoteWorkers) {
  public FunctionRegistry {
    orchestrators = Map.copyOf(orchestrators);
    activities = Map.copyOf(activities);
    entities = Map.copyOf(entities);
  }

  public FunctionRegistry(
      Map<String, Orchestrator> orchestrators,
      Map<String, Activity> activities,
      Map<String, EntityFunction> entities) {
    this(orchestrators, activities, entities, false);
  }

  public FunctionRegistry(
      Map<String, Orchestrator> orchestrators, Map<String, Activity> activities) {
    this(orchestrators, activities, Map.of());
  }

  /**
   * Whether an orchestration of that name can run: the engine has its code, or remote workers run
   * what the engine has no code for.
   */
  public boolean canRunOrchestrator(String name) {
    return remoteWorkers || orchestrator(name) != null;
  }

  /**
   * Whether an activity of that name can run: the engine has its code, or remote workers run what
   * the engine has no code for (its tasks wait for a worker that has it).
   */
  public boolean canRunActivity(String name) {
    return remoteWorkers || activity(name) != null;
  }

  /**
   * Whether operations on entities of that name can run: the engine has their code, or remote
   * workers run what the engine has no code for.
   */
  public boolean canRunEntity(String name) {
    return remoteWorkers || entity(name) != null;
  }

  /** The entity registered under {@code name} (compared case-insensitively), or null. */
  public EntityFunction entity(String name) {
    return entities.get(name.toLowerCase(Locale.ROOT));
  }

  /** Names of the registered entities (lowercased). */
  public Set<String> entityNames() {
    return entities.keySet();
  }

  /** The orchestrator registered under {@code name} (compared ignoring case), or null. */
  public Orchestrator orchestrator(String name) {
    return find(orchestrators, name);
  }

  /** The activity registered under {@code name} (compared ignoring case), or null. */
  public Activity activity(String name) {
    return find(activities, name);
  }

  /**
   * Azure Functions matches function names ignoring case; the builder refuses names that differ
   * only in case, so at most one matches. The exact name is the common case and costs one lookup.
   */
  private static <F> F find(Map<String, F> functions, String name) {
    F exact = functions.get(name);
    if (exact != null || name == null) {
      return exact;
    }
    for (Map.Entry<String, F> e : functions.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  public Set<String> orchestratorNames() {
    return orchestrators.keySet();
  }

  public Set<String> activityNames() {
    return activities.keySet();
  }
}
