package dev.fermata.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * Options of the {@link ManagementApi}, validated when built.
 *
 * @param bindAddress the address to listen on (default loopback, {@code 127.0.0.1})
 * @param port the port (default 7071, as the Functions host; 0 picks a free one)
 * @param maxBodyBytes the largest request body accepted; larger ones get 413 (default 1 MiB)
 * @param managementKey when not null, every request must carry it as the {@code code} query
 *     parameter or the {@code x-functions-key} header, else 401
 * @param publicBaseUrl when not null, the absolute http(s) URL clients reach the API at (behind a
 *     proxy, say {@code https://fermata.example.com}); check-status URLs start with it instead of
 *     the request's {@code Host} header
 * @param idleTimeout how long a connection may send or receive nothing before the server closes it
 *     (default 30 s): a client that opens connections and stalls mid-request cannot hold them for
 *     longer. A request being answered (a long wait for completion) is not idle.
 */
public record ManagementApiOptions(
    String bindAddress,
    int port,
    int maxBodyBytes,
    String managementKey,
    String publicBaseUrl,
    Duration idleTimeout) {

  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  public static final int DEFAULT_PORT = 7071;
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** Options with the default idle timeout. */
  public ManagementApiOptions(
      String bindAddress, int port, int maxBodyBytes, String managementKey, String publicBaseUrl) {
    this(bindAddress, port, maxBodyBytes, managementKey, publicBaseUrl, DEFAULT_IDLE_TIMEOUT);
  }

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
    if (idleTimeout == null || idleTimeout.toMillis() < 1) {
      throw new IllegalArgumentException(
          "idleTimeout must be at least one millisecond, got " + idleTimeout);
    }
    if (publicBaseUrl != null) {
      try {
        publicBaseUrl = checkPublicBaseUrl(publicBaseUrl);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("publicBaseUrl " + e.getMessage());
      }
    }
  }

  /**
   * Checks a public base URL and returns it without trailing slashes.
   *
   * @throws IllegalArgumentException unless it is an absolute http or https URL without query or
   *     fragment
   */
  public static String checkPublicBaseUrl(String url) {
    String problem = "must be an absolute http or https URL such as https://fermata.example.com";
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(problem + ", got '" + url + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException(problem + ", got '" + url + "'");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "must be a base URL without user, query or fragment, got '" + url + "'");
    }
    return uri.toString().replaceAll("/+$", "");
  }

  /** Loopback, port 7071, 1 MiB bodies, no key. */
  public static ManagementApiOptions defaults() {
    return new ManagementApiOptions(
        DEFAULT_BIND_ADDRESS, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES, null, null);
  }

  public ManagementApiOptions withBindAddress(String address) {
    return new ManagementApiOptions(
        address, port, maxBodyBytes, managementKey, publicBaseUrl, idleTimeout);
  }

  public ManagementApiOptions withPort(int p) {
    return new ManagementApiOptions(
        bindAddress, p, maxBodyBytes, managementKey, publicBaseUrl, idleTimeout);
  }

  public ManagementApiOptions withMaxBodyBytes(int max) {
    return new ManagementApiOptions(
        bindAddress, port, max, managementKey, publicBaseUrl, idleTimeout);
  }

  public ManagementApiOptions withManagementKey(String key) {
    return new ManagementApiOptions(
        bindAddress, port, maxBodyBytes, key, publicBaseUrl, idleTimeout);
  }

  public ManagementApiOptions withPublicBaseUrl(String url) {
    return new ManagementApiOptions(
        bindAddress, port, maxBodyBytes, managementKey, url, idleTimeout);
  }

  public ManagementApiOptions withIdleTimeout(Duration timeout) {
    return new ManagementApiOptions(
        bindAddress, port, maxBodyBytes, managementKey, publicBaseUrl, timeout);
  }
}
