package dev.fermata.internal.host;

import dev.fermata.host.HostConfig;
import dev.fermata.host.InvalidConfigException;
import dev.fermata.spi.DurableStore;
import dev.fermata.spi.StoreFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Opens the configured store through the {@link StoreFactory} of its type. */
public final class StoreSelection {
  private StoreSelection() {}

  /**
   * @throws InvalidConfigException for an unknown type (naming the available ones) or settings the
   *     store refuses
   */
  public static DurableStore open(HostConfig config) {
    Map<String, StoreFactory> factories = new LinkedHashMap<>();
    for (StoreFactory f : ServiceLoader.load(StoreFactory.class)) {
      factories.putIfAbsent(f.type(), f);
    }
    StoreFactory factory = factories.get(config.storageType());
    if (factory == null) {
      throw new InvalidConfigException(
          "Setting 'extensions.durableTask.storageProvider.type' is '"
              + config.storageType()
              + "', but the available stores are "
              + new TreeSet<>(factories.keySet())
              + " (a store module on the class path adds its type)");
    }
    try {
      return factory.open(config.hubName(), settingNames(factory, config.storageSettings()));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(
          "Invalid " + factory.type() + " storage settings: " + e.getMessage());
    }
  }

  /** Settings from environment variables come in upper case: give them the store's spelling. */
  private static Map<String, String> settingNames(StoreFactory f, Map<String, String> given) {
    Map<String, String> out = new LinkedHashMap<>();
    given.forEach(
        (name, value) ->
            out.put(
                f.settingNames().stream()
                    .filter(n -> n.equalsIgnoreCase(name))
                    .findFirst()
                    .orElse(name),
                value));
    return out;
  }
}
