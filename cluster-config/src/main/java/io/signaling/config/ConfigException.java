package io.signaling.config;

/** An invalid configuration value; the message names the setting and says what is accepted. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
