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
    int managementPort,
    String managementHost,
    List<String> appNames,
    int instances,
    int maxMessageBytes,
    int maxStreamIdLength,
    String stunServerUri,
    String turnUsername,
    String turnCredential,
    int sendTimeoutMillis,
    int sendAttempts,
    int noticePatienceSeconds,
    int drainSeconds,
    Limits limits,
    Handshakes handshakes,
    Security security,
    Turn turn,
    Resume resume,
    WarmupSettings warmup,
    Backend backend,
    ClusterSettings cluster) {

  public static final Setting<String> HTTP_HOST = Setting.of("SIGNALING_HTTP_HOST", "0.0.0.0",
      "Address the HTTP/WebSocket server binds to.", Parsers.host());
  public static final Setting<Integer> HTTP_PORT = Setting.of("SIGNALING_HTTP_PORT", "5080",
      "HTTP/WebSocket port (Ant Media's default is 5080); 0 picks a free port.", Parsers.portOrZero());
  public static final Setting<Integer> MANAGEMENT_PORT = Setting.of("SIGNALING_MANAGEMENT_PORT", "9000",
      "Port of the management server (/metrics, /health/live, /health/ready), on the HTTP host; must differ from "
          + "the client port, and must not be exposed to clients; 0 picks a free port.", Parsers.portOrZero());
  public static final Setting<String> MANAGEMENT_HOST = Setting.of("SIGNALING_MANAGEMENT_HOST", "",
      "Address the management server binds to (e.g. 127.0.0.1 or an internal interface, to keep /metrics and health "
          + "off the client network); unset: SIGNALING_HTTP_HOST.", Parsers.optionalHost());
  public static final Setting<List<String>> APP_NAMES = Setting.of("SIGNALING_APP_NAMES", "",
      "Comma-separated application names served at /<AppName>/websocket; unset: any name.",
      Parsers.list(SettingRules::appName));
  public static final Setting<Integer> INSTANCES = Setting.of("SIGNALING_INSTANCES", "0",
      "Verticle instances (event loops serving sockets); 0: one per CPU core.", Parsers.intRange(0, 256));
  public static final Setting<Integer> MAX_MESSAGE_BYTES = Setting.of("SIGNALING_MAX_MESSAGE_BYTES", "131072",
      "Largest WebSocket message accepted (SDPs need at least 80 KiB); larger ones close the socket with 1009.",
      Parsers.intRange(81_920, 16 * 1024 * 1024));
  public static final Setting<Integer> MAX_STREAM_ID_LENGTH = Setting.of("SIGNALING_MAX_STREAM_ID_LENGTH", "128",
      "Longest streamId accepted; longer ones get invalidStreamName.", Parsers.intRange(1, 1024));
  public static final Setting<String> STUN_SERVER_URI = Setting.of("SIGNALING_STUN_SERVER_URI", "",
      "STUN or TURN URI sent in iceServerConfig (stun:host:port or turn:host:port); unset: the SDK keeps its own.",
      SettingRules::iceUri);
  public static final Setting<String> TURN_USERNAME = Setting.of("SIGNALING_TURN_USERNAME", "",
      "TURN username sent in iceServerConfig.", Parsers.string());
  public static final Setting<String> TURN_CREDENTIAL = Setting.secret("SIGNALING_TURN_CREDENTIAL", "",
      "TURN credential sent in iceServerConfig (never logged).", Parsers.string());
  public static final Setting<List<String>> TURN_URIS = Setting.of("SIGNALING_TURN_URIS", "",
      "Comma-separated TURN URIs (turn:host:port, turns:host:port, ?transport=tcp allowed) that short-lived "
          + "credentials are issued for, with SIGNALING_TURN_SECRETS; the first is sent in iceServerConfig and must "
          + "start with turn:.", Parsers.list(SettingRules::turnUri));
  public static final Setting<List<String>> TURN_SECRETS = Setting.secret("SIGNALING_TURN_SECRETS", "",
      "Comma-separated shared secrets of the TURN server (coturn's static-auth-secret), at least 16 bytes each; "
          + "the first signs, list the others while rotating (never logged).", SettingRules::turnSecrets);
  public static final Setting<Integer> TURN_CREDENTIAL_LIFETIME_SECONDS = Setting.of(
      "SIGNALING_TURN_CREDENTIAL_LIFETIME_SECONDS", "86400",
      "How long an issued TURN credential is valid: relayed calls must start within it (a call already relayed "
          + "goes on past it).", Parsers.intRange(600, 604_800));
  public static final Setting<Integer> SEND_TIMEOUT_MILLIS = Setting.of("SIGNALING_SEND_TIMEOUT_MILLIS", "500",
      "Timeout of one attempt to deliver a pairing or stop notice to another node.", Parsers.intRange(50, 30_000));
  public static final Setting<Integer> SEND_ATTEMPTS = Setting.of("SIGNALING_SEND_ATTEMPTS", "4",
      "Attempts to deliver a pairing or stop notice before the partner is given up as lost.", Parsers.intRange(1, 20));
  public static final Setting<Integer> NOTICE_PATIENCE_SECONDS = Setting.of("SIGNALING_NOTICE_PATIENCE_SECONDS",
      "30", "How long a pairing or stop notice to a node that is still in the cluster is tried again (about once a "
          + "second) once its first attempts went unanswered, before the partner is given up as lost; a node that "
          + "leaves the cluster ends the wait at once (0: give up after the first attempts).",
      Parsers.intRange(0, 3_600));
  public static final Setting<Integer> DRAIN_SECONDS = Setting.of("SIGNALING_DRAIN_SECONDS", "3600",
      "On SIGTERM/SIGINT: how long calls in progress may go on before they are ended (a second signal ends them at once).",
      Parsers.intRange(0, 86_400));

  public static final Setting<Integer> RESUME_SECONDS = Setting.of("SIGNALING_RESUME_SECONDS", "30",
      "How long the room slot of a client that opted in to resume (?peer=<id>) is held after its socket or node is "
          + "gone; its partner hears nothing meanwhile. 0: slots are never held.", Parsers.intRange(0, 600));
  public static final Setting<Integer> RESUME_MAX_HELD_MESSAGES = Setting.of("SIGNALING_RESUME_MAX_HELD_MESSAGES", "256",
      "Relays kept for a held slot (by its partner's node); one more ends the slot and the partner gets stop.",
      Parsers.intRange(1, 100_000));
  public static final Setting<Integer> RESUME_MAX_HELD_BYTES = Setting.of("SIGNALING_RESUME_MAX_HELD_BYTES", "262144",
      "Bytes of relays kept for a held slot; more end the slot and the partner gets stop.",
      Parsers.intRange(1024, 64 * 1024 * 1024));
  public static final Setting<Integer> RESUME_ATTEMPTS_PER_MINUTE = Setting.of("SIGNALING_RESUME_ATTEMPTS_PER_MINUTE",
      "30", "WebSocket upgrades with a peer id one remote address may make per minute on a node; more get 429.",
      Parsers.intRange(1, 1_000_000));

  public static final Setting<Integer> WARMUP_CALLS = Setting.of("SIGNALING_WARMUP_CALLS", "6000",
      "Calls the node runs through its own endpoint before it reports ready, with each call's partner on another "
          + "member when there is one, so that a new node is not slow and dear for its first calls. 0: ready at once.",
      Parsers.intRange(0, 1_000_000));
  public static final Setting<Integer> WARMUP_SECONDS = Setting.of("SIGNALING_WARMUP_SECONDS", "120",
      "The warm-up ends after this long even when fewer calls completed; the node then reports ready.",
      Parsers.intRange(1, 3600));
  public static final Setting<Integer> WARMUP_IN_FLIGHT = Setting.of("SIGNALING_WARMUP_IN_FLIGHT", "8",
      "Warm-up calls run at once.", Parsers.intRange(1, 100));

  public static final Setting<Integer> RATE_PER_SECOND = Setting.of("SIGNALING_RATE_LIMIT_PER_SECOND", "200",
      "Messages per second one connection may send, sustained; excess gets rateLimitExceeded.",
      Parsers.intRange(1, 1_000_000));
  public static final Setting<Integer> RATE_BURST = Setting.of("SIGNALING_RATE_LIMIT_BURST", "1000",
      "Messages one connection may send in a burst (a call's candidates arrive together).",
      Parsers.intRange(1, 10_000_000));
  public static final Setting<Integer> BYTE_RATE_PER_SECOND = Setting.of("SIGNALING_BYTE_LIMIT_PER_SECOND",
      String.valueOf(ByteBudgets.DEFAULTS.perSecond()),
      "Bytes per second one connection may send, sustained; excess gets rateLimitExceeded (a call sends two SDPs "
          + "of a few KB and tens of candidates).", Parsers.intRange(1024, 1 << 30));
  public static final Setting<Integer> BYTE_BURST = Setting.of("SIGNALING_BYTE_LIMIT_BURST",
      String.valueOf(ByteBudgets.DEFAULTS.burst()),
      "Bytes one connection may send in a burst; at least SIGNALING_MAX_MESSAGE_BYTES.",
      Parsers.intRange(81_920, 1 << 30));
  public static final Setting<Integer> ADDRESS_BYTE_RATE_PER_SECOND = Setting.of(
      "SIGNALING_ADDRESS_BYTE_LIMIT_PER_SECOND", String.valueOf(ByteBudgets.DEFAULTS.addressPerSecond()),
      "Bytes per second all connections from one remote address may send together to a node, sustained (behind an "
          + "ingress all clients share its address); excess gets rateLimitExceeded. 0: no per-address budget.",
      Parsers.intRange(0, 1 << 30));
  public static final Setting<Integer> ADDRESS_BYTE_BURST = Setting.of("SIGNALING_ADDRESS_BYTE_LIMIT_BURST",
      String.valueOf(ByteBudgets.DEFAULTS.addressBurst()),
      "Bytes all connections from one remote address may send together to a node in a burst; at least "
          + "SIGNALING_MAX_MESSAGE_BYTES.", Parsers.intRange(81_920, 1 << 30));
  public static final Setting<Integer> VIOLATIONS_BEFORE_CLOSE = Setting.of("SIGNALING_ABUSE_CLOSE_AFTER", "100",
      "Refused (rate-limited or over-limit) messages after which the connection is closed with 1008.",
      Parsers.intRange(1, 1_000_000));
  public static final Setting<Integer> MAX_ROOMS = Setting.of("SIGNALING_MAX_ROOMS_PER_CONNECTION", "16",
      "Rooms one connection may be in at once; more gets tooManyRooms.", Parsers.intRange(1, 100_000));
  public static final Setting<Integer> MAX_CONNECTIONS_PER_ADDRESS = Setting.of(
      "SIGNALING_MAX_CONNECTIONS_PER_ADDRESS", "1000",
      "Open connections from one remote address, counted from accept, upgraded or not (behind an ingress all "
          + "clients share its address); 0: no limit.",
      Parsers.intRange(0, 10_000_000));
  public static final Setting<Integer> HANDSHAKE_TIMEOUT_SECONDS = Setting.of("SIGNALING_HANDSHAKE_TIMEOUT_SECONDS",
      "10", "A client connection that has not sent a complete WebSocket upgrade (or HTTP request) this long after it "
          + "was accepted is closed; slow headers count.", Parsers.intRange(1, 300));
  public static final Setting<Integer> HTTP_KEEP_ALIVE_SECONDS = Setting.of("SIGNALING_HTTP_KEEP_ALIVE_SECONDS",
      "15", "A plain HTTP keep-alive connection on the client port with no request for this long is closed.",
      Parsers.intRange(1, 3600));
  public static final Setting<Integer> MAX_PENDING_HANDSHAKES = Setting.of("SIGNALING_MAX_PENDING_HANDSHAKES",
      "2000", "Client connections not yet upgraded to a WebSocket the node holds at once; beyond it new ones are "
          + "closed at once (signaling_connections_refused_total{reason=\"handshakes\"}); 0: no limit.",
      Parsers.intRange(0, 10_000_000));
  public static final Setting<Integer> IDLE_TIMEOUT_SECONDS = Setting.of("SIGNALING_IDLE_TIMEOUT_SECONDS", "30",
      "A connection that sends nothing this long is closed with 4000 (the JS SDK pings every 3 s); 0: never.",
      Parsers.intRange(0, 86_400));
  public static final Setting<Integer> MAX_WRITE_QUEUE_BYTES = Setting.of("SIGNALING_MAX_WRITE_QUEUE_BYTES",
      "1048576", "Bytes queued for a client that does not read before it is closed with 4001.",
      Parsers.intRange(65_536, 1 << 30));
  public static final Setting<Integer> ROOM_MAX_IDLE_SECONDS = Setting.of("SIGNALING_ROOM_LIFETIME_SECONDS",
      "43200", "A room entry nobody joined or left for this long is dropped from the cluster.",
      Parsers.intRange(60, 31_536_000));
  public static final Setting<String> JWT_SECRET = Setting.secret("SIGNALING_JWT_SECRET", "",
      "HS256 shared secret (at least 32 bytes); when any JWT setting is set, every join needs a token.",
      text -> SettingRules.secret32(text, "an HS256 secret"));
  public static final Setting<String> JWT_PUBLIC_KEY_FILE = Setting.of("SIGNALING_JWT_PUBLIC_KEY_FILE", "",
      "PEM file with an RS256 public key for join tokens.", SettingRules::readableFile);
  public static final Setting<String> JWT_JWKS_FILE = Setting.of("SIGNALING_JWT_JWKS_FILE", "",
      "JWKS (JSON Web Key Set) file with RS256 public keys for join tokens.", SettingRules::readableFile);
  public static final Setting<Integer> JWT_LEEWAY_SECONDS = Setting.of("SIGNALING_JWT_LEEWAY_SECONDS", "60",
      "Clock skew allowed when a join token's exp and nbf are checked.", Parsers.intRange(0, 3600));
  public static final Setting<Integer> JWT_MAX_LIFETIME_SECONDS = Setting.of("SIGNALING_JWT_MAX_LIFETIME_SECONDS",
      "0", "Longest lifetime (exp - iat) a join token may have; a token without iat is then refused. 0: no maximum.",
      Parsers.intRange(0, 31_536_000));
  public static final Setting<List<String>> ALLOWED_ORIGINS = Setting.of("SIGNALING_ALLOWED_ORIGINS", "",
      "Comma-separated WebSocket Origins allowed (e.g. https://app.example.com); unset: any.",
      Parsers.list(SettingRules::origin));
  public static final Setting<String> TLS_CERT_FILE = Setting.of("SIGNALING_TLS_CERT_FILE", "",
      "PEM certificate chain: serve https:// and wss:// (with SIGNALING_TLS_KEY_FILE).", SettingRules::readableFile);
  public static final Setting<String> TLS_KEY_FILE = Setting.of("SIGNALING_TLS_KEY_FILE", "",
      "PEM private key for SIGNALING_TLS_CERT_FILE.", SettingRules::readableFile);

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

  public static final Setting<List<String>> WEBHOOK_URLS = Setting.of("SIGNALING_WEBHOOK_URLS", "",
      "Comma-separated http:// or https:// URLs that receive every room's events as signed POSTs (empty: off).",
      Parsers.list(SettingRules::webhookUrl));
  public static final Setting<String> WEBHOOK_SECRET = Setting.secret("SIGNALING_WEBHOOK_SECRET", "",
      "HMAC-SHA256 key of the webhooks' X-Signaling-Signature header (at least 32 bytes; required with the URLs).",
      text -> SettingRules.secret32(text, "a webhook secret"));
  public static final Setting<Integer> WEBHOOK_TIMEOUT_MILLIS = Setting.of("SIGNALING_WEBHOOK_TIMEOUT_MILLIS", "5000",
      "A webhook delivery not answered within this long is a failure, retried.", Parsers.intRange(100, 120_000));
  public static final Setting<Integer> WEBHOOK_RETRY_SECONDS = Setting.of("SIGNALING_WEBHOOK_RETRY_SECONDS", "21600",
      "An event is retried for this long after it was created, then given up (counted, logged, announced).",
      Parsers.intRange(1, 604_800));
  public static final Setting<Integer> WEBHOOK_MAX_BACKOFF_MILLIS = Setting.of("SIGNALING_WEBHOOK_MAX_BACKOFF_MILLIS",
      "60000", "The longest wait between two attempts to deliver an event (the back-off doubles from 1 s up to it).",
      Parsers.intRange(1000, 3_600_000));
  public static final Setting<Integer> WEBHOOK_MAX_BACKLOG = Setting.of("SIGNALING_WEBHOOK_MAX_BACKLOG", "100000",
      "Undelivered events a node keeps for its partitions; beyond it new events are given up (counted, announced).",
      Parsers.intRange(100, 10_000_000));
  public static final Setting<List<String>> WEBHOOK_EVENTS = Setting.of("SIGNALING_WEBHOOK_EVENTS", "",
      "Comma-separated events to send (empty: all): room_started, peer_joined, peer_resumed, call_started, "
          + "call_ended, peer_left, room_finished.", Parsers.list(SettingRules::webhookEvent));
  public static final Setting<String> ADMIN_TOKEN = Setting.secret("SIGNALING_ADMIN_TOKEN", "",
      "Bearer token of the admin API on the management port (at least 32 bytes; empty: the admin API is off).",
      text -> SettingRules.secret32(text, "an admin token"));

  public static final List<Setting<?>> NODE = List.of(HTTP_HOST, HTTP_PORT, MANAGEMENT_PORT, MANAGEMENT_HOST, APP_NAMES, INSTANCES, MAX_MESSAGE_BYTES,
      MAX_STREAM_ID_LENGTH, STUN_SERVER_URI, TURN_USERNAME, TURN_CREDENTIAL, TURN_URIS, TURN_SECRETS,
      TURN_CREDENTIAL_LIFETIME_SECONDS, SEND_TIMEOUT_MILLIS, SEND_ATTEMPTS,
      NOTICE_PATIENCE_SECONDS, DRAIN_SECONDS, RATE_PER_SECOND, RATE_BURST, BYTE_RATE_PER_SECOND, BYTE_BURST, ADDRESS_BYTE_RATE_PER_SECOND,
      ADDRESS_BYTE_BURST, VIOLATIONS_BEFORE_CLOSE, MAX_ROOMS, MAX_CONNECTIONS_PER_ADDRESS,
      HANDSHAKE_TIMEOUT_SECONDS, HTTP_KEEP_ALIVE_SECONDS, MAX_PENDING_HANDSHAKES, IDLE_TIMEOUT_SECONDS, MAX_WRITE_QUEUE_BYTES, ROOM_MAX_IDLE_SECONDS, JWT_SECRET, JWT_PUBLIC_KEY_FILE,
      JWT_JWKS_FILE, JWT_LEEWAY_SECONDS, JWT_MAX_LIFETIME_SECONDS, ALLOWED_ORIGINS, TLS_CERT_FILE, TLS_KEY_FILE, RESUME_SECONDS, RESUME_MAX_HELD_MESSAGES,
      RESUME_MAX_HELD_BYTES, RESUME_ATTEMPTS_PER_MINUTE, WARMUP_CALLS, WARMUP_SECONDS, WARMUP_IN_FLIGHT, WEBHOOK_URLS, WEBHOOK_SECRET,
      WEBHOOK_TIMEOUT_MILLIS, WEBHOOK_RETRY_SECONDS, WEBHOOK_MAX_BACKOFF_MILLIS, WEBHOOK_MAX_BACKLOG, WEBHOOK_EVENTS, ADMIN_TOKEN, LOG_FORMAT, LOG_LEVEL);

  /** Every setting a node reads, node and cluster. */
  public static final List<Setting<?>> ALL;

  static {
    List<Setting<?>> all = new ArrayList<>(NODE);
    all.addAll(ClusterSettings.ALL);
    ALL = Collections.unmodifiableList(all);
  }

  public NodeSettings {
    appNames = List.copyOf(appNames);
    if (managementPort != 0 && managementPort == httpPort) {
      throw new ConfigException(MANAGEMENT_PORT.env() + " must differ from " + HTTP_PORT.env() + " (" + httpPort
          + "): metrics and health are not served to clients");
    }
    if (limits.bytes().burst() < maxMessageBytes) {
      throw new ConfigException(BYTE_BURST.env() + " (" + limits.bytes().burst() + ") must be at least "
          + MAX_MESSAGE_BYTES.env() + " (" + maxMessageBytes + "): a largest message must fit in a burst");
    }
    if (limits.bytes().perAddress() && limits.bytes().addressBurst() < maxMessageBytes) {
      throw new ConfigException(ADDRESS_BYTE_BURST.env() + " (" + limits.bytes().addressBurst() + ") must be at "
          + "least " + MAX_MESSAGE_BYTES.env() + " (" + maxMessageBytes + "): a largest message must fit in a burst");
    }
    if (turn.enabled() && (!turnUsername.isEmpty() || !turnCredential.isEmpty())) {
      throw new ConfigException(TURN_SECRETS.env() + " issues TURN credentials: unset " + TURN_USERNAME.env()
          + " and " + TURN_CREDENTIAL.env());
    }
    if (turn.enabled() && !stunServerUri.isEmpty()) {
      throw new ConfigException(STUN_SERVER_URI.env() + " and " + TURN_URIS.env() + " cannot both be set: "
          + "iceServerConfig carries one URI (with TURN credentials, the first of " + TURN_URIS.env() + ")");
    }
  }

  public static NodeSettings from(SettingsSource source) {
    int instances = source.get(INSTANCES);
    return new NodeSettings(source.get(HTTP_HOST), source.get(HTTP_PORT), source.get(MANAGEMENT_PORT),
        source.get(MANAGEMENT_HOST), source.get(APP_NAMES),
        instances == 0 ? Runtime.getRuntime().availableProcessors() : instances, source.get(MAX_MESSAGE_BYTES),
        source.get(MAX_STREAM_ID_LENGTH), source.get(STUN_SERVER_URI), source.get(TURN_USERNAME),
        source.get(TURN_CREDENTIAL), source.get(SEND_TIMEOUT_MILLIS), source.get(SEND_ATTEMPTS),
        source.get(NOTICE_PATIENCE_SECONDS),
        source.get(DRAIN_SECONDS),
        new Limits(source.get(RATE_PER_SECOND), source.get(RATE_BURST), source.get(VIOLATIONS_BEFORE_CLOSE),
            source.get(MAX_ROOMS), source.get(MAX_CONNECTIONS_PER_ADDRESS), source.get(IDLE_TIMEOUT_SECONDS),
            source.get(MAX_WRITE_QUEUE_BYTES), source.get(ROOM_MAX_IDLE_SECONDS),
            new ByteBudgets(source.get(BYTE_RATE_PER_SECOND), source.get(BYTE_BURST),
                source.get(ADDRESS_BYTE_RATE_PER_SECOND), source.get(ADDRESS_BYTE_BURST))),
        new Handshakes(source.get(HANDSHAKE_TIMEOUT_SECONDS), source.get(HTTP_KEEP_ALIVE_SECONDS),
            source.get(MAX_PENDING_HANDSHAKES)),
        new Security(source.get(JWT_SECRET), source.get(JWT_PUBLIC_KEY_FILE), source.get(JWT_JWKS_FILE),
            source.get(ALLOWED_ORIGINS), source.get(TLS_CERT_FILE), source.get(TLS_KEY_FILE),
            source.get(JWT_LEEWAY_SECONDS), source.get(JWT_MAX_LIFETIME_SECONDS)),
        new Turn(source.get(TURN_URIS), source.get(TURN_SECRETS), source.get(TURN_CREDENTIAL_LIFETIME_SECONDS)),
        new Resume(source.get(RESUME_SECONDS), source.get(RESUME_MAX_HELD_MESSAGES), source.get(RESUME_MAX_HELD_BYTES),
            source.get(RESUME_ATTEMPTS_PER_MINUTE)),
        new WarmupSettings(source.get(WARMUP_CALLS), source.get(WARMUP_SECONDS), source.get(WARMUP_IN_FLIGHT)),
        new Backend(source.get(WEBHOOK_URLS), source.get(WEBHOOK_SECRET), source.get(WEBHOOK_TIMEOUT_MILLIS),
            source.get(WEBHOOK_RETRY_SECONDS), source.get(WEBHOOK_MAX_BACKOFF_MILLIS), source.get(WEBHOOK_MAX_BACKLOG),
            source.get(WEBHOOK_EVENTS),
            source.get(ADMIN_TOKEN)),
        ClusterSettings.from(source));
  }

  /**
   * Defaults everywhere, but for the given cluster settings, free HTTP and management ports on loopback and one
   * instance.
   */
  public static NodeSettings forCluster(ClusterSettings cluster) {
    NodeSettings d = from(SettingsSource.of(java.util.Map.of()));
    return new NodeSettings("127.0.0.1", 0, 0, "", d.appNames(), 1, d.maxMessageBytes(), d.maxStreamIdLength(),
        d.stunServerUri(), d.turnUsername(), d.turnCredential(), d.sendTimeoutMillis(), d.sendAttempts(), d.noticePatienceSeconds(),
        d.drainSeconds(), d.limits(), d.handshakes(), d.security(), d.turn(), d.resume(), WarmupSettings.OFF, d.backend(), cluster);
  }

  public NodeSettings withHttpPort(int port) {
    return new NodeSettings(httpHost, port, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes, security, turn, resume, warmup, backend, cluster);
  }

  public NodeSettings withManagementPort(int port) {
    return new NodeSettings(httpHost, httpPort, port, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength,
        stunServerUri, turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes,
        security, turn, resume, warmup, backend, cluster);
  }

  public NodeSettings withManagementHost(String host) {
    return new NodeSettings(httpHost, httpPort, managementPort, host, appNames, instances, maxMessageBytes,
        maxStreamIdLength, stunServerUri, turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds,
        limits, handshakes, security, turn, resume, warmup, backend, cluster);
  }

  /** The address the management server binds to: its own setting, else the HTTP host's. */
  public String managementBindHost() {
    return managementHost.isEmpty() ? httpHost : managementHost;
  }

  public NodeSettings withHandshakes(Handshakes newHandshakes) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes,
        maxStreamIdLength, stunServerUri, turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds,
        limits, newHandshakes, security, turn, resume, warmup, backend, cluster);
  }

  public NodeSettings withInstances(int count) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, count, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes, security, turn, resume, warmup, backend, cluster);
  }

  public NodeSettings withIceServer(String uri, String username, String credential) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength, uri,
        username, credential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes, security, turn, resume, warmup, backend, cluster);
  }

  public NodeSettings withTurn(Turn newTurn) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength,
        stunServerUri, turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes,
        security, newTurn, resume, warmup, backend, cluster);
  }

  public NodeSettings withAppNames(List<String> names) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, names, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes, security, turn, resume, warmup, backend, cluster);
  }

  public NodeSettings withLimits(Limits newLimits) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, newLimits, handshakes, security, turn, resume, warmup, backend, cluster);
  }

  public NodeSettings withSecurity(Security newSecurity) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes, newSecurity, turn, resume, warmup, backend, cluster);
  }

  public NodeSettings withNoticePatienceSeconds(int seconds) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, seconds, drainSeconds, limits, handshakes, security, turn,
        resume, warmup, backend, cluster);
  }

  public NodeSettings withDrainSeconds(int seconds) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, seconds, limits, handshakes, security, turn,
        resume, warmup, backend, cluster);
  }

  public NodeSettings withResume(Resume newResume) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes, security, turn,
        newResume, warmup, backend, cluster);
  }

  public NodeSettings withBackend(Backend newBackend) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes, security, turn,
        resume, warmup, newBackend, cluster);
  }

  public NodeSettings withWarmup(WarmupSettings newWarmup) {
    return new NodeSettings(httpHost, httpPort, managementPort, managementHost, appNames, instances, maxMessageBytes, maxStreamIdLength, stunServerUri,
        turnUsername, turnCredential, sendTimeoutMillis, sendAttempts, noticePatienceSeconds, drainSeconds, limits, handshakes, security, turn,
        resume, newWarmup, backend, cluster);
  }

  public int roomMaxIdleSeconds() {
    return limits.roomMaxIdleSeconds();
  }

  public boolean servesApp(String appName) {
    return appNames.isEmpty() || appNames.contains(appName);
  }
}
