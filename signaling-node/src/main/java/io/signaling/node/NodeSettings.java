package io.signaling.node;

import io.signaling.cluster.config.ClusterSettings;
import io.signaling.config.ConfigException;
import io.signaling.config.Parsers;
import io.signaling.config.Setting;
import io.signaling.config.SettingsSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Typed, validated settings of a signaling node (the cluster's own are in {@link ClusterSettings}). */
public record NodeSettings(
    String httpHost,
    int httpPort,
    List<String> appNames,
    int instances,
    int maxMessageBytes,
    int maxStreamIdLength,
    String stunServerUri,
    String turnUsername,
    String turnCredential,
    int sendTimeoutMillis,
    int sendAttempts,
    int drainSeconds,
    ClusterSettings cluster) {

  public static final Setting<String> HTTP_HOST = Setting.of("SIGNALING_HTTP_HOST", "0.0.0.0",
      "Address the HTTP/WebSocket server binds to.", Parsers.host());
  public static final Setting<Integer> HTTP_PORT = Setting.of("SIGNALING_HTTP_PORT", "5080",
      "HTTP/WebSocket port (Ant Media's default is 5080); 0 picks a free port.", Parsers.portOrZero());
  public static final Setting<List<String>> APP_NAMES = Setting.of("SIGNALING_APP_NAMES", "",
      "Comma-separated application names served at /<AppName>/websocket; unset: any name.",
      Parsers.list(NodeSettings::appName));
  public static final Setting<Integer> INSTANCES = Setting.of("SIGNALING_INSTANCES", "0",
      "Verticle instances (event loops serving sockets); 0: one per CPU core.", Parsers.intRange(0, 256));
  public static final Setting<Integer> MAX_MESSAGE_BYTES = Setting.of("SIGNALING_MAX_MESSAGE_BYTES", "131072",
      "Largest WebSocket message accepted (SDPs need at least 80 KiB); larger ones close the socket with 1009.",
      Parsers.intRange(81_920, 16 * 1024 * 1024));
  public static final Setting<Integer> MAX_STREAM_ID_LENGTH = Setting.of("SIGNALING_MAX_STREAM_ID_LENGTH", "128",
      "Longest streamId accepted; longer ones get invalidStreamName.", Parsers.intRange(1, 1024));
  public static final Setting<String> STUN_SERVER_URI = Setting.of("SIGNALING_STUN_SERVER_URI", "",
      "STUN or TURN URI sent in iceServerConfig (stun:host:port or turn:host:port); unset: the SDK keeps its own.",
      NodeSettings::iceUri);
  public static final Setting<String> TURN_USERNAME = Setting.of("SIGNALING_TURN_USERNAME", "",
      "TURN username sent in iceServerConfig.", Parsers.string());
  public static final Setting<String> TURN_CREDENTIAL = Setting.secret("SIGNALING_TURN_CREDENTIAL", "",
      "TURN credential sent in iceServerConfig (never logged).", Parsers.string());
  public static final Setting<Integer> SEND_TIMEOUT_MILLIS = Setting.of("SIGNALING_SEND_TIMEOUT_MILLIS", "500",
      "Timeout of one attempt to deliver a pairing or stop notice to another node.", Parsers.intRange(50, 30_000));
  public static final Setting<Integer> SEND_ATTEMPTS = Setting.of("SIGNALING_SEND_ATTEMPTS", "4",
      "Attempts to deliver a pairing or stop notice before the partner is given up as lost.", Parsers.intRange(1, 20));
  public static final Setting<Integer> DRAIN_SECONDS = Setting.of("SIGNALING_DRAIN_SECONDS", "10",
      "On shutdown: time allowed to tell clients, hand rooms over and close sockets.", Parsers.intRange(0, 600));

  /** Read by the logging configuration (logback.xml); Main passes flags on to it. */
  public static final Setting<String> LOG_FORMAT = Setting.of("SIGNALING_LOG_FORMAT", "text",
      "Log format: text (one line per event) or json (one JSON object per line, for log shippers).",
      text -> {
        if (!text.equals("text") && !text.equals("json")) {
          throw new IllegalArgumentException("must be text or json");
        }
        return text;
      });
  public static final Setting<String> LOG_LEVEL = Setting.of("SIGNALING_LOG_LEVEL", "INFO",
      "Log level: ERROR, WARN, INFO, DEBUG or TRACE.", text -> {
        if (!List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(text)) {
          throw new IllegalArgumentException("must be ERROR, WARN, INFO, DEBUG or TRACE");
        }
        return text;
      });

  public static final List<Setting<?>> NODE = List.of(HTTP_HOST, HTTP_PORT, APP_NAMES, INSTANCES, MAX_MESSAGE_BYTES,
      MAX_STREAM_ID_LENGTH, STUN_SERVER_URI, TURN_USERNAME, TURN_CREDENTIAL, SEND_TIMEOUT_MILLIS, SEND_ATTEMPTS,
      DRAIN_SECONDS, LOG_FORMAT, LOG_LEVEL);

  /** Every setting a node reads, node and cluster. */
  public static final List<Setting<?>> ALL;

  static {
    List<Setting<?>> all = new ArrayList<>(NODE);
    all.addAll(ClusterSettings.ALL);
    ALL = Collections.unmodifiableList(all);
  }

  public NodeSettings {
    appNames = List.copyOf(appNames);
  }

  public static NodeSettings from(SettingsSource source) {
    int instances = source.get(INSTANCES);
    return new NodeSettings(source.get(HTTP_HOST), source.get(HTTP_PORT), source.get(APP_NAMES),
        instances == 0 ? Runtime.getRuntime().availableProcessors() : instances, source.get(MAX_MESSAGE_BYTES),
        source.get(MAX_STREAM_ID_LENGTH), source.get(STUN_SERVER_URI), source.get(TURN_USERNAME),
        source.get(TURN_CREDENTIAL), source.get(SEND_TIMEOUT_MILLIS), source.get(SEND_ATTEMPTS),
        source.get(DRAIN_SECONDS), ClusterSettings.from(source));
  }

  /** Defaults everywhere, but for the given cluster settings, a free HTTP port on loopback and one instance. */
  public static NodeSettings forCluster(ClusterSettings cluster) {
    NodeSettings d = from(SettingsSource.of(java.util.Map.of()));
    return new NodeSettings("127.0.0.1", 0, d.appNames(), 1, d.maxMessageBytes(), d.maxStreamIdLength(),
        d.stunServerUri(), d.turnUsername(), d.turnCredential(), d.sendTimeoutMillis(), d.sendAttempts(),
        d.drainSeconds(), cluster);
  }

  public NodeSettings withHttpPort(int port) {
    return new NodeSettings(httpHost, port, appNames, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, drainSeconds, cluster);
  }

  public NodeSettings withInstances(int count) {
    return new NodeSettings(httpHost, httpPort, appNames, count, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, drainSeconds, cluster);
  }

  public NodeSettings withIceServer(String uri, String username, String credential) {
    return new NodeSettings(httpHost, httpPort, appNames, instances, maxMessageBytes, maxStreamIdLength, uri,
        username, credential, sendTimeoutMillis, sendAttempts, drainSeconds, cluster);
  }

  public NodeSettings withAppNames(List<String> names) {
    return new NodeSettings(httpHost, httpPort, names, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, drainSeconds, cluster);
  }

  public boolean servesApp(String appName) {
    return appNames.isEmpty() || appNames.contains(appName);
  }

  private static String appName(String text) {
    if (!text.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("application names may only contain letters, digits, '_', '.' and '-'");
    }
    return text;
  }

  private static String iceUri(String text) {
    if (!text.isEmpty() && !text.startsWith("stun:") && !text.startsWith("turn:") && !text.startsWith("turns:")) {
      throw new ConfigException("Invalid value '" + text + "' for " + "SIGNALING_STUN_SERVER_URI"
          + ": must start with stun:, turn: or turns: (the SDK ignores anything else)");
    }
    return text;
  }
}
