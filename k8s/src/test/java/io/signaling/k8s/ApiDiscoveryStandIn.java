package io.signaling.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code kubectl apply --dry-run=client} needs from an API server, and no more: API discovery (which kinds
 * exist, under which group and version, namespaced or not) and a 404 for every object it looks up, as on a fresh
 * cluster. No Kubernetes API server can run here; with this, kubectl itself maps each rendered object to its
 * resource and walks them in the order it would apply them. It stores nothing: a client dry run sends no object.
 */
final class ApiDiscoveryStandIn implements AutoCloseable {

  /** A resource of a group-version: its plural name, kind, and whether it lives in a namespace. */
  record Resource(String plural, String kind, boolean namespaced) {
  }

  /** The built-in resources the manifests use, as a Kubernetes 1.30+ server lists them. */
  static Map<String, List<Resource>> builtIn() {
    Map<String, List<Resource>> r = new LinkedHashMap<>();
    r.put("v1", List.of(new Resource("namespaces", "Namespace", false),
        new Resource("configmaps", "ConfigMap", true), new Resource("services", "Service", true),
        new Resource("serviceaccounts", "ServiceAccount", true), new Resource("secrets", "Secret", true),
        new Resource("pods", "Pod", true)));
    r.put("apps/v1", List.of(new Resource("deployments", "Deployment", true)));
    r.put("policy/v1", List.of(new Resource("poddisruptionbudgets", "PodDisruptionBudget", true)));
    r.put("autoscaling/v2", List.of(new Resource("horizontalpodautoscalers", "HorizontalPodAutoscaler", true)));
    r.put("rbac.authorization.k8s.io/v1", List.of(new Resource("roles", "Role", true),
        new Resource("rolebindings", "RoleBinding", true)));
    r.put("batch/v1", List.of(new Resource("jobs", "Job", true)));
    return r;
  }

  /** The built-in resources plus the Prometheus Operator's ServiceMonitor (its CRDs installed). */
  static Map<String, List<Resource>> withPrometheusOperator() {
    Map<String, List<Resource>> r = builtIn();
    r.put("monitoring.coreos.com/v1", List.of(new Resource("servicemonitors", "ServiceMonitor", true)));
    return r;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, List<Resource>> groups;
  private final HttpServer server;
  private final List<String> objectLookups = new ArrayList<>();

  ApiDiscoveryStandIn(Map<String, List<Resource>> groups) {
    this.groups = groups;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The paths of the objects kubectl looked up, in order (discovery requests left out). */
  synchronized List<String> objectLookups() {
    return List.copyOf(objectLookups);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    Object body = discovery(path);
    if (body == null) {
      synchronized (this) {
        objectLookups.add(exchange.getRequestMethod() + " " + path);
      }
      reply(exchange, 404, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "reason", "NotFound",
          "code", 404, "message", path + " not found"));
    } else {
      reply(exchange, 200, body);
    }
  }

  private Object discovery(String path) {
    if (path.equals("/version")) {
      return Map.of("major", "1", "minor", "30", "gitVersion", "v1.30.0", "platform", "linux/amd64");
    }
    if (path.equals("/api")) {
      return Map.of("kind", "APIVersions", "versions", List.of("v1"), "serverAddressByClientCIDRs",
          List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", "127.0.0.1")));
    }
    if (path.equals("/apis")) {
      List<Object> list = new ArrayList<>();
      groups.keySet().stream().filter(gv -> gv.contains("/")).forEach(gv -> {
        String[] parts = gv.split("/");
        Map<String, String> version = Map.of("groupVersion", gv, "version", parts[1]);
        list.add(Map.of("name", parts[0], "versions", List.of(version), "preferredVersion", version));
      });
      return Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", list);
    }
    String gv = path.equals("/api/v1") ? "v1"
        : path.startsWith("/apis/") && path.split("/").length == 4 ? path.substring("/apis/".length()) : null;
    if (gv == null || !groups.containsKey(gv)) {
      return null;
    }
    List<Object> resources = new ArrayList<>();
    for (Resource r : groups.get(gv)) {
      resources.add(Map.of("name", r.plural(), "singularName", "", "namespaced", r.namespaced(), "kind", r.kind(),
          "verbs", List.of("create", "delete", "get", "list", "patch", "update", "watch")));
    }
    return Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", gv, "resources", resources);
  }

  private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
