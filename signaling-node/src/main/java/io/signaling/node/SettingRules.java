package io.signaling.node;

import io.signaling.config.ConfigException;
import io.signaling.config.Parsers;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The parsers of the node's settings that check more than a type and a range; messages never show a secret. */
final class SettingRules {

  static final List<String> WEBHOOK_EVENTS = List.of("room_started", "peer_joined", "peer_resumed", "call_started",
      "call_ended", "peer_left", "room_finished");

  private SettingRules() {
  }

  static String appName(String text) {
    return matching(text, "[A-Za-z0-9_.-]+",
        "application names may only contain letters, digits, '_', '.' and '-'");
  }

  static String origin(String text) {
    return matching(text, "[A-Za-z][A-Za-z0-9+.-]*://[^/\\s]+",
        "'" + text + "' is not an Origin: scheme://host[:port], e.g. https://app.example.com (no path)");
  }

  static String turnUri(String text) {
    return matching(text, "turns?:[^\\s?]+(\\?transport=(udp|tcp))?", "'" + text + "' is not a TURN URI: "
        + "turn:host[:port] or turns:host[:port], optionally with ?transport=udp or ?transport=tcp");
  }

  /** Empty, or at least 32 bytes; never puts the secret's text in a message. */
  static String secret32(String text, String what) {
    if (!text.isEmpty() && text.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new IllegalArgumentException(what + " needs at least 32 bytes");
    }
    return text;
  }

  static String webhookUrl(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a URL");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
        || uri.getUserInfo() != null) {
      throw new IllegalArgumentException("'" + text + "' is not an http:// or https:// URL with a host (and no"
          + " user info)");
    }
    return text;
  }

  static String webhookEvent(String text) {
    if (!WEBHOOK_EVENTS.contains(text)) {
      throw new IllegalArgumentException("'" + text + "' is not an event");
    }
    return text;
  }

  static String readableFile(String text) {
    if (!text.isEmpty() && !Files.isReadable(Path.of(text))) {
      throw new IllegalArgumentException("no readable file there");
    }
    return text;
  }

  /** Never puts a secret's text in a message: the setting is a secret. */
  static List<String> turnSecrets(String text) {
    List<String> secrets = Parsers.list(Parsers.string()).apply(text);
    for (String secret : secrets) {
      if (secret.getBytes(StandardCharsets.UTF_8).length < 16) {
        throw new IllegalArgumentException("each TURN secret needs at least 16 bytes");
      }
    }
    return secrets;
  }

  static String iceUri(String text) {
    if (!text.isEmpty() && !text.startsWith("stun:") && !text.startsWith("turn:") && !text.startsWith("turns:")) {
      throw new ConfigException("Invalid value '" + text + "' for " + "SIGNALING_STUN_SERVER_URI"
          + ": must start with stun:, turn: or turns: (the SDK ignores anything else)");
    }
    return text;
  }

  private static String matching(String text, String regex, String message) {
    if (!text.matches(regex)) {
      throw new IllegalArgumentException(message);
    }
    return text;
  }
}
