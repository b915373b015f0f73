package dev.fermata.spi;

import java.util.Locale;
import java.util.Set;

/**
 * The work an engine can run, for a store that several engines share ({@link
 * DurableStore#scopeWork}): the orchestrations, entities and activities it has code for, and every
 * other name only while a remote worker is connected to it. A store that honours the scope leaves
 * the rest to the engines that can run it, instead of handing it to one that would hold it until a
 * worker connects.
 *
 * @param instanceNames the orchestrator and entity names the engine runs itself, lowercased (the
 *     {@code name} of the instance rows it may claim; names compare ignoring case)
 * @param activityNames the activity names the engine runs itself, lowercased
 * @param remote whether a remote worker is connected now, or null if the engine has none at all
 */
public record WorkScope(
    Set<String> instanceNames, Set<String> activityNames, RemoteWorkers remote) {
  public WorkScope {
    instanceNames = Set.copyOf(instanceNames);
    activityNames = Set.copyOf(activityNames);
  }

  /** True while work of any name may be claimed: a remote worker is connected. */
  public boolean anyName() {
    return remote != null && remote.connected();
  }

  /** Whether an instance of that orchestrator or entity name may be claimed now. */
  public boolean takesInstance(String name) {
    return anyName() || instanceNames.contains(name.toLowerCase(Locale.ROOT));
  }

  /** Whether a task of that activity name may be claimed now. */
  public boolean takesActivity(String name) {
    return anyName() || activityNames.contains(name.toLowerCase(Locale.ROOT));
  }
}
