package io.signaling.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration setting: its environment variable, the equivalent command-line flag, a default,
 * a description for {@code --help} and the README, and a parser that validates the raw text.
 *
 * @param <T> the typed value
 */
public final class Setting<T> {

  private final String env;
  private final String defaultValue;
  private final String description;
  private final boolean secret;
  private final Function<String, T> parser;

  private Setting(String env, String defaultValue, String description, boolean secret, Function<String, T> parser) {
    this.env = Objects.requireNonNull(env);
    this.defaultValue = Objects.requireNonNull(defaultValue);
    this.description = Objects.requireNonNull(description);
    this.secret = secret;
    this.parser = Objects.requireNonNull(parser);
  }

  public static <T> Setting<T> of(String env, String defaultValue, String description, Function<String, T> parser) {
    return new Setting<>(env, defaultValue, description, false, parser);
  }

  /** A setting whose value is never logged. */
  public static <T> Setting<T> secret(String env, String defaultValue, String description, Function<String, T> parser) {
    return new Setting<>(env, defaultValue, description, true, parser);
  }

  /** The environment variable, e.g. {@code SIGNALING_HTTP_PORT}. */
  public String env() {
    return env;
  }

  /** The command-line flag, e.g. {@code --http-port} for {@code SIGNALING_HTTP_PORT}. */
  public String flag() {
    String name = env.startsWith("SIGNALING_") ? env.substring("SIGNALING_".length()) : env;
    return "--" + name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  public boolean isSecret() {
    return secret;
  }

  /**
   * Parses a raw value.
   *
   * @throws ConfigException naming this setting when the value is invalid
   */
  public T parse(String raw) {
    String text = raw == null ? defaultValue : raw.trim();
    try {
      return parser.apply(text);
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      String shown = secret ? "<redacted>" : "'" + text + "'";
      throw new ConfigException("Invalid value " + shown + " for " + env + " (" + flag() + "): " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return env;
  }
}
