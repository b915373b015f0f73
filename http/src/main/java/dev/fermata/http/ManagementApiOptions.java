package dev.fermata.http;

/**
 * Options of the {@link ManagementApi}, validated when built.
 *
 * @param bindAddress the address to listen on (default loopback, {@code 127.0.0.1})
 * @param port the port (default 7071, as the Functions host; 0 picks a free one)
 * @param maxBodyBytes the largest request body accepted; larger ones get 413 (default 1 MiB)
 * @param managementKey when not null, every request must carry it as the {@code code} query
 *     parameter or the {@code x-functions-key} header, else 401
 */
public record ManagementApiOptions(
    String bindAddress, int port, int maxBodyBytes, String managementKey) {

  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  public static final int DEFAULT_PORT = 7071;
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

  public ManagementApiOptions {
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be at least 1, got " + maxBodyBytes);
    }
    if (managementKey != null && managementKey.isEmpty()) {
      throw new IllegalArgumentException("managementKey must be null (no key) or not empty");
    }
  }

  /** Loopback, port 7071, 1 MiB bodies, no key. */
  public static ManagementApiOptions defaults() {
    return new ManagementApiOptions(
        DEFAULT_BIND_ADDRESS, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES, null);
  }

  public ManagementApiOptions withBindAddress(String address) {
    return new ManagementApiOptions(address, port, maxBodyBytes, managementKey);
  }

  public ManagementApiOptions withPort(int p) {
    return new ManagementApiOptions(bindAddress, p, maxBodyBytes, managementKey);
  }

  public ManagementApiOptions withMaxBodyBytes(int max) {
    return new ManagementApiOptions(bindAddress, port, max, managementKey);
  }

  public ManagementApiOptions withManagementKey(String key) {
    return new ManagementApiOptions(bindAddress, port, maxBodyBytes, key);
  }
}
