package dev.fermata.spi;

import java.util.Map;
import java.util.Set;

/**
 * Opens a store from configuration, so that a host can choose its store by name ({@code "sqlite"},
 * {@code "postgres"}) without depending on every store module. Found with {@link
 * java.util.ServiceLoader}; each store module provides one.
 */
public interface StoreFactory {

  /** The name configuration uses for this store, in lower case. */
  String type();

  /** The setting names {@link #open} understands, for error messages and documentation. */
  Set<String> settingNames();

  /**
   * Opens (but does not start) a store.
   *
   * @param hubName the task hub: stores that can hold several hubs keep them apart by this name
   * @param settings this store's settings by name; absent ones take their defaults
   * @throws IllegalArgumentException naming the setting that is missing or invalid and the values
   *     it accepts; unknown setting names are refused the same way
   */
  DurableStore open(String hubName, Map<String, String> settings);
}
