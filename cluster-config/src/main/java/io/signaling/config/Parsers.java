package io.signaling.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Parsers with validation for {@link Setting}s. Each throws {@link IllegalArgumentException} saying what is accepted. */
public final class Parsers {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._\\-]{0,251}[A-Za-z0-9])?");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.:\\-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\]");

  private Parsers() {
  }

  public static Function<String, Integer> intRange(int min, int max) {
    return text -> {
      int value;
      try {
        value = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be a whole number from " + min + " to " + max);
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException("must be from " + min + " to " + max);
      }
      return value;
    };
  }

  public static Function<String, Integer> port() {
    return intRange(1, 65535);
  }

  /** A port, or 0 for "choose a free one". */
  public static Function<String, Integer> portOrZero() {
    return intRange(0, 65535);
  }

  public static Function<String, String> string() {
    return text -> text;
  }

  public static Function<String, String> host() {
    return text -> {
      if (!HOST.matcher(text).matches()) {
        throw new IllegalArgumentException("must be a host name or IP address");
      }
      return text;
    };
  }

  /** Empty text means "not set" and yields the empty string; anything else must be a host. */
  public static Function<String, String> optionalHost() {
    return text -> text.isEmpty() ? "" : host().apply(text);
  }

  /**
   * Empty text means "not set"; anything else must be a name as Kubernetes spells node names and zone labels:
   * letters, digits, '.', '-' and '_', starting and ending with a letter or digit, at most 253 characters.
   */
  public static Function<String, String> optionalName() {
    return text -> {
      if (!text.isEmpty() && !NAME.matcher(text).matches()) {
        throw new IllegalArgumentException("must be a name of letters, digits, '.', '-' and '_' (at most 253), "
            + "starting and ending with a letter or digit");
      }
      return text;
    };
  }

  public static Function<String, Boolean> bool() {
    return text -> {
      switch (text.toLowerCase(Locale.ROOT)) {
        case "true": case "yes": case "1": case "on": return true;
        case "false": case "no": case "0": case "off": return false;
        default: throw new IllegalArgumentException("must be true or false");
      }
    };
  }

  /** A comma-separated list; blanks are dropped; each element goes through {@code element}. */
  public static <T> Function<String, List<T>> list(Function<String, T> element) {
    return text -> Arrays.stream(text.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(element)
        .toList();
  }

  public static <E extends Enum<E>> Function<String, E> oneOf(Class<E> type, Function<E, String> wireName) {
    return text -> {
      for (E value : type.getEnumConstants()) {
        if (wireName.apply(value).equalsIgnoreCase(text)) {
          return value;
        }
      }
      throw new IllegalArgumentException("must be one of " + Arrays.stream(type.getEnumConstants()).map(wireName).toList());
    };
  }
}
