package dev.fermata.host;

/** The configuration is invalid; the message names the setting and the values it accepts. */
public final class InvalidConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidConfigException(String message) {
    super(message);
  }
}
