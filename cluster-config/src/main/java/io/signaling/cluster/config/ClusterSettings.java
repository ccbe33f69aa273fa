package io.signaling.cluster.config;

import io.signaling.config.ConfigException;
import io.signaling.config.Parsers;
import io.signaling.config.Setting;
import io.signaling.config.SettingsSource;
import java.util.List;
import java.util.Objects;

/**
 * Typed, validated settings of the cluster: Hazelcast membership and failure detection, the
 * clustered event bus's addresses, and the failure domain that keeps a room's backup away from its primary.
 */
public record ClusterSettings(
    String clusterName,
    DiscoveryMode discovery,
    String host,
    String publicHost,
    int port,
    int portCount,
    List<String> members,
    String kubernetesServiceDns,
    String kubernetesNamespace,
    String kubernetesServiceName,
    int heartbeatSeconds,
    int failureTimeoutSeconds,
    int mergeDelaySeconds,
    int joinWaitSeconds,
    String eventBusHost,
    int eventBusPort,
    String eventBusPublicHost,
    int eventBusPublicPort,
    int eventBusPingMillis,
    FailureDomain failureDomain) {

  public static final Setting<String> CLUSTER_NAME = Setting.of("SIGNALING_CLUSTER_NAME", "signaling",
      "Hazelcast cluster name; only nodes with the same name form a cluster.", Parsers.host());
  public static final Setting<DiscoveryMode> DISCOVERY = Setting.of("SIGNALING_CLUSTER_DISCOVERY", "local",
      "Member discovery: local (127.0.0.1, port range), static (SIGNALING_CLUSTER_MEMBERS), "
          + "kubernetes-dns (headless Service DNS), kubernetes-api (Service endpoints).",
      Parsers.oneOf(DiscoveryMode.class, DiscoveryMode::wireName));
  public static final Setting<String> HOST = Setting.of("SIGNALING_CLUSTER_HOST", "",
      "Address Hazelcast binds to and advertises (the pod IP on Kubernetes). Unset: 127.0.0.1 in local mode, "
          + "otherwise Hazelcast picks an interface.", Parsers.optionalHost());
  public static final Setting<String> PUBLIC_HOST = Setting.of("SIGNALING_CLUSTER_PUBLIC_HOST", "",
      "Address other members use to reach this one, when it differs from SIGNALING_CLUSTER_HOST (NAT).",
      Parsers.optionalHost());
  public static final Setting<Integer> PORT = Setting.of("SIGNALING_CLUSTER_PORT", "5701",
      "First Hazelcast member port.", Parsers.port());
  public static final Setting<Integer> PORT_COUNT = Setting.of("SIGNALING_CLUSTER_PORT_COUNT", "10",
      "How many ports from SIGNALING_CLUSTER_PORT a member may take (and local discovery probes).",
      Parsers.intRange(1, 100));
  public static final Setting<List<String>> MEMBERS = Setting.of("SIGNALING_CLUSTER_MEMBERS", "",
      "Comma-separated host[:port] members for static discovery.", Parsers.list(ClusterSettings::member));
  public static final Setting<String> K8S_SERVICE_DNS = Setting.of("SIGNALING_CLUSTER_K8S_SERVICE_DNS", "",
      "kubernetes-dns: the headless Service's DNS name, e.g. signaling-hz.default.svc.cluster.local.",
      Parsers.optionalHost());
  public static final Setting<String> K8S_NAMESPACE = Setting.of("SIGNALING_CLUSTER_K8S_NAMESPACE", "",
      "kubernetes-api: namespace to look in (unset: the pod's own namespace).", Parsers.optionalName());
  public static final Setting<String> K8S_SERVICE_NAME = Setting.of("SIGNALING_CLUSTER_K8S_SERVICE_NAME", "",
      "kubernetes-api: the Service whose endpoints are the members.", Parsers.optionalName());
  public static final Setting<Integer> HEARTBEAT_SECONDS = Setting.of("SIGNALING_CLUSTER_HEARTBEAT_SECONDS", "1",
      "Hazelcast heartbeat interval.", Parsers.intRange(1, 60));
  public static final Setting<Integer> FAILURE_TIMEOUT_SECONDS = Setting.of("SIGNALING_CLUSTER_FAILURE_TIMEOUT_SECONDS",
      "2", "A member silent for this long is removed (Hazelcast's default is 60 s).", Parsers.intRange(2, 600));
  public static final Setting<Integer> MERGE_DELAY_SECONDS = Setting.of("SIGNALING_CLUSTER_MERGE_DELAY_SECONDS", "5",
      "Delay before (and between) split-brain merge attempts after a partition heals.", Parsers.intRange(1, 600));
  public static final Setting<Integer> JOIN_WAIT_SECONDS = Setting.of("SIGNALING_CLUSTER_JOIN_WAIT_SECONDS", "0",
      "How long a starting member waits for others before it forms a cluster of its own.", Parsers.intRange(0, 60));
  public static final Setting<String> EVENTBUS_HOST = Setting.of("SIGNALING_EVENTBUS_HOST", "",
      "Address the event bus binds to (the pod IP on Kubernetes). Unset: the cluster host, or the address "
          + "Hazelcast chose.", Parsers.optionalHost());
  public static final Setting<Integer> EVENTBUS_PORT = Setting.of("SIGNALING_EVENTBUS_PORT", "0",
      "Event bus TCP port; 0 picks a free port (set a fixed one on Kubernetes).", Parsers.portOrZero());
  public static final Setting<String> EVENTBUS_PUBLIC_HOST = Setting.of("SIGNALING_EVENTBUS_PUBLIC_HOST", "",
      "Address other nodes use to reach this node's event bus. Unset: the event bus host.", Parsers.optionalHost());
  public static final Setting<Integer> EVENTBUS_PUBLIC_PORT = Setting.of("SIGNALING_EVENTBUS_PUBLIC_PORT", "0",
      "Port other nodes use to reach this event bus; 0: the event bus port.", Parsers.portOrZero());
  public static final Setting<Integer> EVENTBUS_PING_MILLIS = Setting.of("SIGNALING_EVENTBUS_PING_MILLIS", "1000",
      "Event bus connection ping interval (Vert.x's default is 20 s).", Parsers.intRange(100, 60_000));

  public static final Setting<String> FAILURE_DOMAIN_NODE = Setting.of("SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE", "",
      "The machine this node runs on (on Kubernetes: the downward API's spec.nodeName); nodes with the same "
          + "value are lost together.", Parsers.optionalName());
  public static final Setting<String> FAILURE_DOMAIN_ZONE = Setting.of("SIGNALING_CLUSTER_FAILURE_DOMAIN_ZONE", "",
      "The zone this node runs in (e.g. the node's topology.kubernetes.io/zone label); nodes with the same value "
          + "are lost together.", Parsers.optionalName());
  public static final Setting<BackupGrouping> BACKUP_GROUPING = Setting.of("SIGNALING_CLUSTER_BACKUP_GROUPING", "auto",
      "Keep each room's backup copy off the failure domain of its primary: node, zone, none, or auto (node when "
          + "SIGNALING_CLUSTER_FAILURE_DOMAIN_NODE is set, else none). Must be the same on every node.",
      Parsers.oneOf(BackupGrouping.class, BackupGrouping::wireName));

  public static final List<Setting<?>> ALL = List.of(CLUSTER_NAME, DISCOVERY, HOST, PUBLIC_HOST, PORT, PORT_COUNT,
      MEMBERS, K8S_SERVICE_DNS, K8S_NAMESPACE, K8S_SERVICE_NAME, HEARTBEAT_SECONDS, FAILURE_TIMEOUT_SECONDS,
      MERGE_DELAY_SECONDS, JOIN_WAIT_SECONDS, EVENTBUS_HOST, EVENTBUS_PORT, EVENTBUS_PUBLIC_HOST,
      EVENTBUS_PUBLIC_PORT, EVENTBUS_PING_MILLIS, FAILURE_DOMAIN_NODE, FAILURE_DOMAIN_ZONE, BACKUP_GROUPING);

  public ClusterSettings {
    if (failureTimeoutSeconds <= heartbeatSeconds) {
      throw new ConfigException(FAILURE_TIMEOUT_SECONDS.env() + " (" + failureTimeoutSeconds
          + ") must be greater than " + HEARTBEAT_SECONDS.env() + " (" + heartbeatSeconds + ")");
    }
    switch (discovery) {
      case STATIC:
        if (members.isEmpty()) {
          throw new ConfigException(MEMBERS.env() + " must list at least one member when "
              + DISCOVERY.env() + "=static");
        }
        break;
      case KUBERNETES_DNS:
        if (kubernetesServiceDns.isEmpty()) {
          throw new ConfigException(K8S_SERVICE_DNS.env() + " is required when " + DISCOVERY.env() + "=kubernetes-dns");
        }
        break;
      case KUBERNETES_API:
        if (kubernetesServiceName.isEmpty()) {
          throw new ConfigException(K8S_SERVICE_NAME.env() + " is required when " + DISCOVERY.env() + "=kubernetes-api");
        }
        break;
      default:
        break;
    }
    members = List.copyOf(members);
    Objects.requireNonNull(failureDomain);
  }

  /** Reads and validates every cluster setting. */
  public static ClusterSettings from(SettingsSource source) {
    DiscoveryMode discovery = source.get(DISCOVERY);
    String host = source.get(HOST);
    if (host.isEmpty() && discovery == DiscoveryMode.LOCAL) {
      host = "127.0.0.1";
    }
    // unset everywhere: Vert.x binds and advertises the address Hazelcast chose for this member
    String ebHost = source.get(EVENTBUS_HOST);
    if (ebHost.isEmpty()) {
      ebHost = host;
    }
    String ebPublic = source.get(EVENTBUS_PUBLIC_HOST);
    if (ebPublic.isEmpty() && !ebHost.equals("0.0.0.0")) {
      ebPublic = ebHost;
    }
    return new ClusterSettings(source.get(CLUSTER_NAME), discovery, host, source.get(PUBLIC_HOST),
        source.get(PORT), source.get(PORT_COUNT), source.get(MEMBERS), source.get(K8S_SERVICE_DNS),
        source.get(K8S_NAMESPACE), source.get(K8S_SERVICE_NAME), source.get(HEARTBEAT_SECONDS),
        source.get(FAILURE_TIMEOUT_SECONDS), source.get(MERGE_DELAY_SECONDS), source.get(JOIN_WAIT_SECONDS),
        ebHost, source.get(EVENTBUS_PORT), ebPublic, source.get(EVENTBUS_PUBLIC_PORT), source.get(EVENTBUS_PING_MILLIS),
        FailureDomain.of(source.get(BACKUP_GROUPING), source.get(FAILURE_DOMAIN_NODE), source.get(FAILURE_DOMAIN_ZONE)));
  }

  /** Settings for a member of a cluster on this machine with an explicit member list (tests, local tools). */
  public static ClusterSettings loopback(String clusterName, int port, List<String> members) {
    return new ClusterSettings(clusterName, DiscoveryMode.STATIC, "127.0.0.1", "", port, 1, members, "", "", "",
        1, 4, 5, 0, "127.0.0.1", 0, "127.0.0.1", 0, 1000, FailureDomain.NONE);
  }

  public ClusterSettings withPort(int newPort, int newPortCount) {
    return new ClusterSettings(clusterName, discovery, host, publicHost, newPort, newPortCount, members,
        kubernetesServiceDns, kubernetesNamespace, kubernetesServiceName, heartbeatSeconds, failureTimeoutSeconds,
        mergeDelaySeconds, joinWaitSeconds, eventBusHost, eventBusPort, eventBusPublicHost, eventBusPublicPort,
        eventBusPingMillis, failureDomain);
  }

  public ClusterSettings withFailureDomain(FailureDomain domain) {
    return new ClusterSettings(clusterName, discovery, host, publicHost, port, portCount, members,
        kubernetesServiceDns, kubernetesNamespace, kubernetesServiceName, heartbeatSeconds, failureTimeoutSeconds,
        mergeDelaySeconds, joinWaitSeconds, eventBusHost, eventBusPort, eventBusPublicHost, eventBusPublicPort,
        eventBusPingMillis, domain);
  }

  /** A static member: host, host:port, [IPv6 address]:port, or a Hazelcast address range such as 10.0.0.1-3. */
  private static String member(String text) {
    if (text.matches("\\[[0-9A-Fa-f:.]+\\]:[0-9]{1,5}")) {
      return text;
    }
    try {
      return Parsers.host().apply(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not a member: host, host:port or [IPv6 address]:port");
    }
  }
}
