package io.signaling.loadtest;

import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's WebSocket URL, as given on the command line ({@code ws://host:port/App/websocket} or {@code wss://}).
 * The harness sends only to targets given explicitly.
 */
public record Target(int index, URI uri) {

  public static List<Target> parse(List<String> urls) {
    List<Target> targets = new ArrayList<>();
    for (String raw : urls) {
      for (String url : raw.split(",")) {
        if (url.isBlank()) {
          continue;
        }
        URI uri;
        try {
          uri = new URI(url.trim());
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException("not a URL: " + url.trim());
        }
        String scheme = uri.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
          throw new IllegalArgumentException("target must be a ws:// or wss:// URL: " + url.trim());
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
          throw new IllegalArgumentException("target has no host: " + url.trim());
        }
        targets.add(new Target(targets.size(), uri));
      }
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("give at least one target with --target");
    }
    return List.copyOf(targets);
  }

  /**
   * Replaces each target by one per address its host name resolves to (e.g. a Kubernetes headless Service,
   * whose name resolves to every pod), so that the harness can place the peers of a room on different nodes
   * behind one name. Targets given as addresses stay as they are.
   */
  public static List<Target> expandDns(List<Target> targets) {
    List<Target> out = new ArrayList<>();
    for (Target t : targets) {
      java.net.InetAddress[] addresses;
      try {
        addresses = java.net.InetAddress.getAllByName(t.uri().getHost());
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("cannot resolve " + t.uri().getHost());
      }
      for (java.net.InetAddress a : addresses) {
        String host = a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        URI u = t.uri();
        out.add(new Target(out.size(), URI.create(u.getScheme() + "://" + host + ":" + t.port() + t.path())));
      }
    }
    return List.copyOf(out);
  }

  public boolean secure() {
    return "wss".equals(uri.getScheme());
  }

  public int port() {
    return uri.getPort() > 0 ? uri.getPort() : secure() ? 443 : 80;
  }

  public String path() {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  public WebSocketConnectOptions connectOptions() {
    return new WebSocketConnectOptions().setHost(uri.getHost()).setPort(port()).setURI(path()).setSsl(secure());
  }

  /** The node's default management port, where it serves /metrics and /health (never on the WebSocket port). */
  public static final int DEFAULT_MANAGEMENT_PORT = 9000;

  /**
   * Where each target's node serves /metrics and /health: the given management URLs ({@code http://host:port}),
   * one per target in the same order, or, when none are given, each target's host on the default management port.
   */
  public static List<String> managementBases(List<Target> targets, List<String> given) {
    List<String> urls = new ArrayList<>();
    if (given != null) {
      for (String raw : given) {
        for (String url : raw.split(",")) {
          if (!url.isBlank()) {
            String u = url.trim().replaceAll("/+$", "");
            if (!u.startsWith("http://") && !u.startsWith("https://")) {
              throw new IllegalArgumentException("a management URL must be http:// or https://: " + u);
            }
            urls.add(u);
          }
        }
      }
    }
    if (urls.isEmpty()) {
      for (Target t : targets) {
        urls.add("http://" + t.uri().getHost() + ":" + DEFAULT_MANAGEMENT_PORT);
      }
    }
    if (urls.size() != targets.size()) {
      throw new IllegalArgumentException("give one management URL per target (" + targets.size() + "), got "
          + urls.size());
    }
    return List.copyOf(urls);
  }

  /** A short label for reports: host:port. */
  public String label() {
    return uri.getHost() + ":" + port();
  }

  /**
   * Where the two peers of room {@code n} connect: with {@code crossNode} (the default) on different nodes
   * whenever there are two or more, else both on the same node; rooms are spread over all nodes.
   */
  public static int[] place(int room, int nodes, boolean crossNode) {
    int first = Math.floorMod(room, nodes);
    int second = crossNode && nodes > 1 ? (first + 1 + Math.floorMod(room / nodes, nodes - 1)) % nodes : first;
    return new int[] {first, second};
  }
}
